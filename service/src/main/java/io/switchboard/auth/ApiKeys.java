package io.switchboard.auth;

import io.dropwizard.auth.Authenticator;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The gateway's API keys, held only as SHA-256 hashes. A presented key is hashed and compared
 * with every stored hash in constant time ({@link MessageDigest#isEqual}), without stopping at a
 * match, so neither the content of a guess nor the position of the matching key shows in the
 * timing. Raw keys never reach this class: configuration hashes them as it is read.
 */
public final class ApiKeys implements Authenticator<String, ApiKeyPrincipal> {

    /** Hex digits of the hash that name a key in logs and configuration. */
    public static final int ID_LENGTH = 12;

    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
    private static final HexFormat HEX = HexFormat.of();

    private final List<Entry> entries;

    private ApiKeys(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** From lowercase hex SHA-256 hashes; duplicates are dropped. */
    public static ApiKeys fromHashes(Collection<String> hexHashes) {
        var unique = new LinkedHashSet<String>();
        for (String hex : hexHashes) {
            String normalized = hex.strip().toLowerCase(Locale.ROOT);
            if (!isSha256Hex(normalized)) {
                throw new IllegalArgumentException("Not a SHA-256 hash (64 hex digits)");
            }
            unique.add(normalized);
        }
        var entries = new ArrayList<Entry>();
        for (String hex : unique) {
            entries.add(new Entry(HEX.parseHex(hex), new ApiKeyPrincipal(hex.substring(0, ID_LENGTH))));
        }
        return new ApiKeys(entries);
    }

    public static boolean isSha256Hex(String text) {
        return SHA256_HEX.matcher(text).matches();
    }

    /** The lowercase hex SHA-256 of a key's UTF-8 bytes: what {@code sha256sum} prints for it. */
    public static String sha256Hex(String key) {
        return HEX.formatHex(sha256(key));
    }

    private static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java runtime has SHA-256", e);
        }
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    public int size() {
        return entries.size();
    }

    /** The ids of the keys, in configuration order. */
    public List<String> ids() {
        return entries.stream().map(entry -> entry.principal().keyId()).toList();
    }

    @Override
    public Optional<ApiKeyPrincipal> authenticate(String presented) {
        byte[] hash = sha256(presented);
        ApiKeyPrincipal match = null;
        for (Entry entry : entries) {
            // No early exit: every stored hash is compared whatever the outcome.
            if (MessageDigest.isEqual(entry.hash(), hash)) {
                match = entry.principal();
            }
        }
        return Optional.ofNullable(match);
    }

    @Override
    public String toString() {
        return "ApiKeys[" + entries.size() + " keys]";
    }

    private record Entry(byte[] hash, ApiKeyPrincipal principal) {

        @Override
        public String toString() {
            return "Entry[" + principal.keyId() + "]";
        }
    }
}
