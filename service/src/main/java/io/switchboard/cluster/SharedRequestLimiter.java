package io.switchboard.cluster;

import io.switchboard.auth.RateLimitDecision;
import io.switchboard.auth.RateLimiter;
import io.switchboard.auth.RequestLimiter;

import java.util.Optional;

/**
 * The rate-limit filter's requests per minute with {@code cluster.redis}: each key's limit as this
 * instance knows it ({@code gateway.rateLimit}, the virtual key's own), counted once for every
 * instance in Redis; this instance's own buckets when Redis does not answer and the policy is
 * {@code open}. (A routed call's request is taken with its other limits instead, by {@link
 * SharedLimits#take}.)
 */
public final class SharedRequestLimiter implements RequestLimiter {

    private final RateLimiter local;
    private final SharedLimits shared;

    public SharedRequestLimiter(RateLimiter local, SharedLimits shared) {
        this.local = local;
        this.shared = shared;
    }

    @Override
    public Optional<RateLimitDecision> acquire(String keyId) {
        int limit = local.limitFor(keyId);
        if (limit <= 0) {
            return Optional.empty();
        }
        return shared.takeRequest(keyId, limit, () -> local.acquire(keyId));
    }

    @Override
    public boolean limitsAnything() {
        return local.limitsAnything();
    }
}
