package io.switchboard.admin;

import io.switchboard.auth.ApiKeys;
import io.switchboard.store.KeyDao;
import io.switchboard.store.KeySettings;
import io.switchboard.store.VirtualKeyRecord;
import io.switchboard.usage.ModelGlobs;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Creating, changing, revoking and rotating virtual keys: one way for the admin API and the
 * {@code keys} command. A secret is made here from a secure random source, shown once (in the
 * result of create and rotate), and stored only as its SHA-256; listings show its first
 * characters.
 */
public final class KeyService {

    /** Every secret starts so, which makes a leaked one easy to recognise and scan for. */
    public static final String SECRET_PREFIX = "sk-sb-";
    /** How much of the secret listings show. */
    public static final int SHOWN_PREFIX = SECRET_PREFIX.length() + 6;

    private static final HexFormat HEX = HexFormat.of();

    private final KeyDao keys;
    private final SecureRandom random = new SecureRandom();

    public KeyService(KeyDao keys) {
        this.keys = keys;
    }

    /** A key and its secret: the only time the secret exists outside the client. */
    public record Issued(VirtualKeyRecord key, String secret) {

        @Override
        public String toString() {
            return "Issued[" + key + ", secret=[REDACTED]]";
        }
    }

    public Issued create(KeySettings settings) {
        checkModels(settings);
        String secret = newSecret();
        var key = keys.insert(
                "vk_" + HEX.formatHex(bytes(8)),
                secret.substring(0, SHOWN_PREFIX),
                ApiKeys.sha256Hex(secret),
                settings);
        return new Issued(key, secret);
    }

    public Optional<VirtualKeyRecord> find(String id) {
        return keys.find(id);
    }

    public List<VirtualKeyRecord> list(boolean includeRevoked) {
        return keys.list(includeRevoked);
    }

    public Optional<VirtualKeyRecord> update(String id, KeySettings settings) {
        checkModels(settings);
        return keys.update(id, settings);
    }

    public Optional<VirtualKeyRecord> revoke(String id) {
        return keys.revoke(id);
    }

    /** A new secret for the same key (id, settings, spend); the old one stops working. */
    public Optional<Issued> rotate(String id) {
        String secret = newSecret();
        return keys.rotate(id, secret.substring(0, SHOWN_PREFIX), ApiKeys.sha256Hex(secret))
                .map(key -> new Issued(key, secret));
    }

    private static void checkModels(KeySettings settings) {
        if (settings.models().isEmpty()) {
            return; // no patterns: every model
        }
        var problems = ModelGlobs.problems(settings.models());
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("models: " + String.join("; ", problems));
        }
    }

    private String newSecret() {
        return SECRET_PREFIX + HEX.formatHex(bytes(24));
    }

    private byte[] bytes(int count) {
        byte[] bytes = new byte[count];
        random.nextBytes(bytes);
        return bytes;
    }
}
