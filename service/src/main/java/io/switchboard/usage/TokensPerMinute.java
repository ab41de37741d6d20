package io.switchboard.usage;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Per-key tokens-per-minute limits, in memory. A key's allowance is a bucket of {@code tpm}
 * tokens refilled continuously at {@code tpm / 60} a second. A request takes its estimate (prompt
 * plus the most it may generate) before the call and is admitted only if the bucket holds that
 * much; after the call the difference to what the provider reported is given back or taken
 * (the bucket may go below zero, and the key then waits until it refills). Without Redis this is
 * per instance.
 */
public final class TokensPerMinute {

    private static final double NANOS_PER_MINUTE = 60e9;

    private final LongSupplier nanoClock;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    public TokensPerMinute(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /**
     * Takes {@code estimate} tokens of the key's minute; returns 0 when admitted, else how many
     * nanoseconds until the bucket holds that much (or a minute's refill, when the estimate is
     * more than a whole minute's allowance: it is then admitted once the bucket is full).
     */
    public long reserve(String keyId, int tpm, long estimate) {
        long now = nanoClock.getAsLong();
        Bucket bucket = buckets.compute(
                keyId, (id, held) -> held != null && held.capacity == tpm ? held : new Bucket(tpm, now));
        return bucket.take(Math.min(estimate, tpm), now);
    }

    /** Replaces a reservation's estimate by the tokens the provider reported. */
    public void settle(String keyId, long estimate, long actual) {
        Bucket bucket = buckets.get(keyId);
        if (bucket != null) {
            bucket.adjust(Math.min(estimate, bucket.capacity) - actual);
        }
    }

    private static final class Bucket {
        final int capacity;
        final double nanosPerToken;
        double tokens;
        long updatedAt;

        Bucket(int capacity, long now) {
            this.capacity = capacity;
            this.nanosPerToken = NANOS_PER_MINUTE / capacity;
            this.tokens = capacity;
            this.updatedAt = now;
        }

        synchronized long take(long wanted, long now) {
            refill(now);
            if (tokens >= wanted) {
                tokens -= wanted;
                return 0;
            }
            return (long) Math.ceil((wanted - tokens) * nanosPerToken);
        }

        synchronized void adjust(long delta) {
            tokens = Math.min(capacity, tokens + delta);
        }

        private void refill(long now) {
            long elapsed = Math.max(0, now - updatedAt);
            tokens = Math.min(capacity, tokens + elapsed / nanosPerToken);
            updatedAt = now;
        }
    }
}
