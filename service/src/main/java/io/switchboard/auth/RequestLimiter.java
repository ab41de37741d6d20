package io.switchboard.auth;

import java.util.Optional;

/**
 * Requests per minute per gateway key, as {@link RateLimitFilter} takes them: this instance's
 * buckets ({@link RateLimiter}), or one count in Redis for every instance ({@code cluster.redis}).
 */
public interface RequestLimiter {

    /**
     * Takes one request from the key's allowance; empty when the key has no limit.
     *
     * @throws io.switchboard.api.ApiException a 503 when the shared count cannot be read and the
     *     policy is to fail closed
     */
    Optional<RateLimitDecision> acquire(String keyId);

    /** Whether any key may be limited; when not, the filter need not be installed. */
    boolean limitsAnything();
}
