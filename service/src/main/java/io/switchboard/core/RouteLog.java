package io.switchboard.core;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.switchboard.provider.ProviderException;
import io.switchboard.routing.RouteEvents;
import io.switchboard.routing.Target;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * One log line per failed upstream attempt (retried, fallen back from, or final) and per circuit
 * breaker transition, each naming the provider, the model, the kind of failure, the attempt and
 * the request. Limited per provider (at most 20 lines each 10 s; the rest counted and reported
 * with the next line), so an outage cannot flood the log.
 */
final class RouteLog implements RouteEvents {

    private static final Logger LOG = LoggerFactory.getLogger(RouteLog.class);

    private final LogLimiter limiter;

    RouteLog() {
        this(new LogLimiter(20, TimeUnit.SECONDS.toNanos(10), System::nanoTime));
    }

    RouteLog(LogLimiter limiter) {
        this.limiter = limiter;
    }

    @Override
    public void attemptFailed(String requestId, Target target, int attempt, ProviderException error) {
        long heldBack = limiter.admit("attempt:" + target.providerName());
        if (heldBack < 0) {
            return;
        }
        LOG.warn(
                "Request {}: attempt {} at {} failed ({}): {}{}",
                requestId != null ? requestId : "-",
                attempt,
                target.catalogId(),
                error.kind().label(),
                error.getMessage(),
                suffix(heldBack));
    }

    /** A provider's breaker changed state. */
    void breakerChanged(String provider, CircuitBreaker.StateTransition transition) {
        long heldBack = limiter.admit("breaker:" + provider);
        if (heldBack < 0) {
            return;
        }
        LOG.warn(
                "Circuit breaker of provider {}: {} -> {}{}",
                provider,
                transition.getFromState(),
                transition.getToState(),
                suffix(heldBack));
    }

    @Override
    public void retried(Target target, ProviderException cause) {}

    @Override
    public void fellBack(Target from, Target to, ProviderException cause) {}

    private static String suffix(long heldBack) {
        return heldBack > 0 ? " (" + heldBack + " similar lines not logged)" : "";
    }
}
