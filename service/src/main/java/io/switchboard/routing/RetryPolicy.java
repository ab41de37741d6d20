package io.switchboard.routing;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * How often and how patiently one target is retried.
 *
 * @param maxAttempts attempts per target, the first included (1 turns retries off)
 * @param initialBackoff the wait before the first retry (before jitter)
 * @param maxBackoff the longest wait between attempts
 * @param multiplier how much the wait grows after each retry
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, double multiplier) {

    public static final RetryPolicy DEFAULT = new RetryPolicy(2, Duration.ofMillis(200), Duration.ofSeconds(5), 2.0);

    /**
     * The wait before attempt {@code attempt + 1}: exponential, capped, with "equal jitter" (half
     * fixed, half random) so that clients retrying together spread out but never retry at once.
     */
    public Duration backoff(int attempt, RandomGenerator random) {
        double nanos = initialBackoff.toNanos() * Math.pow(multiplier, Math.max(0, attempt - 1));
        long capped = (long) Math.min(nanos, maxBackoff.toNanos());
        long half = capped / 2;
        return Duration.ofNanos(half + (half > 0 ? random.nextLong(half + 1) : 0));
    }
}
