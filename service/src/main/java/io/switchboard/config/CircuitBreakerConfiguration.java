package io.switchboard.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import io.switchboard.routing.BreakerSettings;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;

/**
 * {@code circuitBreaker:} globally or for one provider. Keys left out take the value from the
 * level above (the global block, then the built-in defaults).
 */
public class CircuitBreakerConfiguration {

    /** Default true. */
    @JsonProperty
    private Boolean enabled;

    /** Percent of failed calls in the window that opens the breaker. Default 50. */
    @DecimalMin("1")
    @DecimalMax("100")
    @JsonProperty
    private Float failureRateThreshold;

    /** How many recent calls the failure rate is taken over. Default 20. */
    @Min(1)
    @JsonProperty
    private Integer slidingWindowSize;

    /** Calls needed before the rate counts at all. Default 10. */
    @Min(1)
    @JsonProperty
    private Integer minimumNumberOfCalls;

    /** How long an open breaker skips the provider. Default 30s. */
    @JsonProperty
    private Duration waitInOpenState;

    /** Trial calls let through when the wait is over. Default 1. */
    @Min(1)
    @JsonProperty
    private Integer permittedCallsInHalfOpenState;

    public BreakerSettings over(BreakerSettings base) {
        return new BreakerSettings(
                enabled != null ? enabled : base.enabled(),
                failureRateThreshold != null ? failureRateThreshold : base.failureRateThreshold(),
                slidingWindowSize != null ? slidingWindowSize : base.slidingWindowSize(),
                minimumNumberOfCalls != null ? minimumNumberOfCalls : base.minimumNumberOfCalls(),
                waitInOpenState != null ? waitInOpenState.toJavaDuration() : base.waitInOpenState(),
                permittedCallsInHalfOpenState != null
                        ? permittedCallsInHalfOpenState
                        : base.permittedCallsInHalfOpenState());
    }
}
