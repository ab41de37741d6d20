package io.switchboard.routing;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Live load per target for the least-busy and lowest-latency strategies: calls in flight and an
 * exponentially weighted average latency. Keyed by catalog id when the provider lists the model,
 * else by provider, so clients cannot grow it without bound.
 */
final class TargetStats {

    private static final double ALPHA = 0.3;

    private final ConcurrentMap<String, Stat> stats = new ConcurrentHashMap<>();

    Stat of(Target target) {
        String key = target.state().model(target.upstreamModel()).isPresent()
                ? target.catalogId()
                : target.providerName() + "/*";
        return stats.computeIfAbsent(key, k -> new Stat());
    }

    static final class Stat {

        private final AtomicInteger inFlight = new AtomicInteger();
        private volatile double latencyNanos = -1;

        int inFlight() {
            return inFlight.get();
        }

        /** Average latency so far, or -1 when nothing has been measured. */
        double latencyNanos() {
            return latencyNanos;
        }

        void started() {
            inFlight.incrementAndGet();
        }

        void finished() {
            inFlight.decrementAndGet();
        }

        synchronized void measured(long nanos) {
            latencyNanos = latencyNanos < 0 ? nanos : ALPHA * nanos + (1 - ALPHA) * latencyNanos;
        }
    }
}
