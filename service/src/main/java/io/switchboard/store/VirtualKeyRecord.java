package io.switchboard.store;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A virtual key as stored: never its secret, only the secret's SHA-256 and the first characters
 * shown in listings.
 *
 * @param id        {@code vk_…}, stable across rotations; what the ledger and reports name
 * @param keyPrefix the secret's first characters, e.g. {@code sk-sb-abcd}, to recognise it by
 * @param keyHash   hex SHA-256 of the secret (64 lower-case digits)
 * @param settings  what an operator may change
 * @param createdAt epoch milliseconds
 * @param updatedAt epoch milliseconds; bumped (strictly) by every change, see {@link KeyDao#changedSince}
 * @param revokedAt epoch milliseconds; null while the key is not revoked
 */
public record VirtualKeyRecord(
        String id,
        String keyPrefix,
        String keyHash,
        KeySettings settings,
        long createdAt,
        long updatedAt,
        Long revokedAt) {

    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
    public static final int MAX_ID_LENGTH = 64;
    public static final int MAX_PREFIX_LENGTH = 32;

    public VirtualKeyRecord {
        if (id == null
                || id.isBlank()
                || id.length() > MAX_ID_LENGTH
                || !id.chars().allMatch(VirtualKeyRecord::idChar)) {
            throw new IllegalArgumentException("a key id is 1 to " + MAX_ID_LENGTH + " letters, digits, '_' or '-'");
        }
        if (keyPrefix == null || keyPrefix.length() > MAX_PREFIX_LENGTH) {
            throw new IllegalArgumentException("a key prefix is at most " + MAX_PREFIX_LENGTH + " characters");
        }
        if (keyHash == null || !SHA256_HEX.matcher(keyHash).matches()) {
            throw new IllegalArgumentException("a key hash is 64 lower-case hex digits (SHA-256)");
        }
        Objects.requireNonNull(settings, "settings");
    }

    /** Revoked: refused for good. */
    public boolean revoked() {
        return revokedAt != null;
    }

    /** Usable at {@code nowMillis}: enabled, not revoked, not expired. */
    public boolean usableAt(long nowMillis) {
        return settings.enabled()
                && revokedAt == null
                && (settings.expiresAt() == null || nowMillis < settings.expiresAt());
    }

    /** The hash shortened: enough to tell two keys apart in a log, not enough to help anyone guess. */
    @Override
    public String toString() {
        return "VirtualKeyRecord[id=" + id + ", keyPrefix=" + keyPrefix + ", keyHash=" + keyHash.substring(0, 8)
                + "…, settings=" + settings + ", createdAt=" + createdAt + ", updatedAt=" + updatedAt
                + ", revokedAt=" + revokedAt + "]";
    }

    private static boolean idChar(int c) {
        return c < 128 && (Character.isLetterOrDigit(c) || c == '_' || c == '-');
    }
}
