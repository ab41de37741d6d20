package io.switchboard.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MaxDuration;
import io.dropwizard.validation.MinDuration;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import java.util.concurrent.TimeUnit;

/**
 * {@code gateway.warmup}: before {@code server} opens its ports, run the JIT's training in this
 * JVM: a throwaway gateway of its own on free loopback ports (the builtin provider, an OpenAI-type
 * provider whose upstream is itself, a temporary SQLite file), sent chat requests over HTTP for
 * {@code maxTime} or {@code requests}, then stopped. The real gateway then starts with its hot
 * path already compiled; it is not ready (its ports are closed) until then.
 */
public class WarmupConfiguration {

    @JsonProperty
    private boolean enabled = false;

    /** The longest the warm-up runs. */
    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.SECONDS)
    @MaxDuration(value = 10, unit = TimeUnit.MINUTES)
    @JsonProperty
    private Duration maxTime = Duration.seconds(20);

    /** Or this many requests, whichever comes first. */
    @Min(1)
    @JsonProperty
    private long requests = 1_000_000;

    /** Requests in flight. */
    @Min(1)
    @Max(1024)
    @JsonProperty
    private int concurrency = 8;

    public boolean enabled() {
        return enabled;
    }

    public Duration maxTime() {
        return maxTime;
    }

    public long requests() {
        return requests;
    }

    public int concurrency() {
        return concurrency;
    }
}
