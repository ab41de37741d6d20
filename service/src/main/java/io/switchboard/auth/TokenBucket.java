package io.switchboard.auth;

/**
 * {@code perMinute} requests a minute for one key: a bucket of that many tokens, refilled
 * continuously at {@code perMinute / 60} a second. A full bucket allows a burst of a minute's
 * allowance, then requests are spaced evenly; nothing resets at a wall-clock boundary, so there
 * is no window edge where twice the limit gets through.
 */
final class TokenBucket {

    private static final double NANOS_PER_MINUTE = 60e9;

    private final int perMinute;
    private final double nanosPerToken;
    private double tokens;
    private long updatedAt;

    TokenBucket(int perMinute, long now) {
        if (perMinute < 1) {
            throw new IllegalArgumentException("perMinute must be at least 1");
        }
        this.perMinute = perMinute;
        this.nanosPerToken = NANOS_PER_MINUTE / perMinute;
        this.tokens = perMinute;
        this.updatedAt = now;
    }

    int capacity() {
        return perMinute;
    }

    synchronized RateLimitDecision tryAcquire(long now) {
        long elapsed = Math.max(0, now - updatedAt);
        tokens = Math.min(perMinute, tokens + elapsed / nanosPerToken);
        updatedAt = now;
        if (tokens >= 1) {
            tokens -= 1;
            return new RateLimitDecision(true, perMinute, (int) Math.floor(tokens), untilFull(), 0);
        }
        long retry = (long) Math.ceil((1 - tokens) * nanosPerToken);
        return new RateLimitDecision(false, perMinute, 0, untilFull(), retry);
    }

    private long untilFull() {
        return (long) Math.ceil((perMinute - tokens) * nanosPerToken);
    }
}
