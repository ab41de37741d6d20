package io.switchboard.auth;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * Gateway keys kept outside config.yml (virtual keys in the database), as authentication and the
 * rate limit need them: found by the SHA-256 of the secret, never by the secret itself.
 */
public interface KeyDirectory {

    KeyDirectory NONE = new KeyDirectory() {
        @Override
        public Optional<ApiKeyPrincipal> byHash(String sha256Hex) {
            return Optional.empty();
        }

        @Override
        public boolean isEmpty() {
            return true;
        }

        @Override
        public OptionalInt requestsPerMinute(String keyId) {
            return OptionalInt.empty();
        }
    };

    /** The key whose secret has this SHA-256 (lowercase hex), if it exists and may be used now. */
    Optional<ApiKeyPrincipal> byHash(String sha256Hex);

    /** Whether there is no key at all (usable or not). */
    boolean isEmpty();

    /** The key's own requests-per-minute limit, if it has one. */
    OptionalInt requestsPerMinute(String keyId);
}
