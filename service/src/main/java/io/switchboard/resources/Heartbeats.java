package io.switchboard.resources;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Timers for SSE keep-alive comments: a quiet stream still shows proxies it is alive, and a write
 * to a client that left fails within one period, which aborts the upstream call.
 *
 * @param period zero turns heartbeats off
 */
public record Heartbeats(ScheduledExecutorService scheduler, Duration period) {

    /** Runs {@code beat} every period; null when heartbeats are off. */
    ScheduledFuture<?> start(Runnable beat) {
        if (period.isZero()) {
            return null;
        }
        long nanos = period.toNanos();
        return scheduler.scheduleAtFixedRate(beat, nanos, nanos, TimeUnit.NANOSECONDS);
    }
}
