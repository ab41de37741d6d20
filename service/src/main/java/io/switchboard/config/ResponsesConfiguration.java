package io.switchboard.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MinDuration;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import java.util.concurrent.TimeUnit;

/**
 * The {@code responses:} block: how long the Responses API's stored responses are kept (in the
 * database, or in memory without one), how often older ones are purged, and how many a gateway
 * without a database holds.
 */
public class ResponsesConfiguration {

    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.MINUTES)
    @JsonProperty
    private Duration retention = Duration.days(30);

    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.SECONDS)
    @JsonProperty
    private Duration purgeInterval = Duration.hours(1);

    @Min(1)
    @Max(1_000_000)
    @JsonProperty
    private int memoryLimit = 1_000;

    public java.time.Duration retention() {
        return retention.toJavaDuration();
    }

    public java.time.Duration purgeInterval() {
        return purgeInterval.toJavaDuration();
    }

    public int memoryLimit() {
        return memoryLimit;
    }
}
