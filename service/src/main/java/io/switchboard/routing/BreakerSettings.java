package io.switchboard.routing;

import java.time.Duration;

/**
 * One provider's circuit breaker: after {@code failureRateThreshold} percent of the last
 * {@code slidingWindowSize} calls failed (once at least {@code minimumNumberOfCalls} were made),
 * the provider is skipped for {@code waitInOpenState}, then probed with
 * {@code permittedCallsInHalfOpenState} calls before it is trusted again.
 */
public record BreakerSettings(
        boolean enabled,
        float failureRateThreshold,
        int slidingWindowSize,
        int minimumNumberOfCalls,
        Duration waitInOpenState,
        int permittedCallsInHalfOpenState) {

    public static final BreakerSettings DEFAULT = new BreakerSettings(true, 50, 20, 10, Duration.ofSeconds(30), 1);
}
