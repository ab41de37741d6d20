package io.switchboard.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import io.switchboard.routing.RetryPolicy;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;

/**
 * {@code retry:} globally or for one provider. Keys left out take the value from the level above
 * (the global block, then the built-in defaults).
 */
public class RetryConfiguration {

    /** Attempts per target, the first included; 1 turns retries off. Default 2. */
    @Min(1)
    @JsonProperty
    private Integer maxAttempts;

    /** Wait before the first retry, before jitter. Default 200ms. */
    @JsonProperty
    private Duration initialBackoff;

    /** Longest wait between attempts. Default 5s. */
    @JsonProperty
    private Duration maxBackoff;

    /** Growth of the wait after each retry. Default 2. */
    @DecimalMin("1.0")
    @JsonProperty
    private Double multiplier;

    public RetryPolicy over(RetryPolicy base) {
        return new RetryPolicy(
                maxAttempts != null ? maxAttempts : base.maxAttempts(),
                initialBackoff != null ? initialBackoff.toJavaDuration() : base.initialBackoff(),
                maxBackoff != null ? maxBackoff.toJavaDuration() : base.maxBackoff(),
                multiplier != null ? multiplier : base.multiplier());
    }
}
