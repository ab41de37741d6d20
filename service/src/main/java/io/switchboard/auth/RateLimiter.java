package io.switchboard.auth;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Per-key request limits, in memory: one {@link TokenBucket} per key id, made on the key's first
 * request. The map cannot grow past the number of configured keys, because only authenticated
 * ids reach it.
 *
 * <p>A hand-written bucket rather than resilience4j's RateLimiter: that one counts permits in
 * fixed refresh cycles shared by all limiters of a registry, which neither spaces requests
 * evenly nor says when a key is back to its full allowance (OpenAI's
 * {@code x-ratelimit-reset-requests}); the bucket is forty lines and has no dependency.
 */
public final class RateLimiter implements RequestLimiter {

    private final int defaultPerMinute;
    private final Map<String, Integer> perKey;
    private final LongSupplier nanoClock;
    private final KeyDirectory directory;
    private final Map<String, TokenBucket> buckets = new ConcurrentHashMap<>();

    /**
     * @param defaultPerMinute requests per minute for keys without an override; 0 means no limit
     * @param perKey           overrides by key id; 0 means no limit for that key
     * @param nanoClock        {@code System::nanoTime}, or a fake in tests
     */
    public RateLimiter(int defaultPerMinute, Map<String, Integer> perKey, LongSupplier nanoClock) {
        this(defaultPerMinute, perKey, KeyDirectory.NONE, nanoClock);
    }

    /** @param directory virtual keys, whose own limit (if set) wins over the default */
    public RateLimiter(
            int defaultPerMinute, Map<String, Integer> perKey, KeyDirectory directory, LongSupplier nanoClock) {
        this.defaultPerMinute = defaultPerMinute;
        this.perKey = Map.copyOf(perKey);
        this.directory = directory;
        this.nanoClock = nanoClock;
    }

    @Override
    public boolean limitsAnything() {
        return defaultPerMinute > 0
                || perKey.values().stream().anyMatch(limit -> limit > 0)
                || directory != KeyDirectory.NONE;
    }

    /** The key's requests per minute: its override, else its virtual key's own, else the default; 0 = none. */
    public int limitFor(String keyId) {
        return perKey.getOrDefault(keyId, directory.requestsPerMinute(keyId).orElse(defaultPerMinute));
    }

    @Override
    public Optional<RateLimitDecision> acquire(String keyId) {
        int limit = limitFor(keyId);
        if (limit <= 0) {
            return Optional.empty();
        }
        long now = nanoClock.getAsLong();
        // A key whose limit was changed gets a bucket of the new size.
        TokenBucket bucket = buckets.compute(
                keyId, (id, held) -> held != null && held.capacity() == limit ? held : new TokenBucket(limit, now));
        return Optional.of(bucket.tryAcquire(now));
    }
}
