package io.switchboard;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.DataSize;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MinDataSize;
import io.dropwizard.validation.MinDuration;
import io.switchboard.routing.RouteGroup;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The {@code gateway:} block: routing defaults, limits, and what the API says about itself. */
public class GatewayConfiguration {

    /** Where a bare model id that no provider lists goes, passed through as it is. Empty: nowhere (404). */
    @JsonProperty
    private String defaultProvider;

    /** Public model id → one target, an ordered list of fallbacks, or a load-balanced group. */
    @NotNull
    @JsonProperty
    private Map<String, RouteGroup> aliases = Map.of();

    /** Bounds a whole request, upstream included. */
    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.MILLISECONDS)
    @JsonProperty
    private Duration requestTimeout = Duration.seconds(300);

    /** Longest silence between two events of a started stream; then it ends with an in-band error. */
    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.MILLISECONDS)
    @JsonProperty
    private Duration streamIdleTimeout = Duration.seconds(60);

    /** How often an SSE comment is sent on a quiet stream, so proxies keep it and gone clients are noticed. 0: never. */
    @NotNull
    @JsonProperty
    private Duration streamHeartbeat = Duration.seconds(15);

    @Valid
    @NotNull
    @JsonProperty
    private ResilienceConfiguration resilience = new ResilienceConfiguration();

    /** Largest request body accepted; larger ones get 413 before they are read. */
    @NotNull
    @MinDataSize(1)
    @JsonProperty
    private DataSize maxRequestSize = DataSize.mebibytes(10);

    /** Origins browsers may call the API from; {@code *} for any. Empty: no CORS headers. */
    @NotNull
    @JsonProperty
    private List<String> corsAllowedOrigins = List.of();

    /** How long one provider's model discovery (its health probe) may take. */
    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.MILLISECONDS)
    @JsonProperty
    private Duration discoveryTimeout = Duration.seconds(3);

    /**
     * How often every provider is probed: its model list is fetched again, which feeds the health
     * checks, routing and the model catalog. 0 turns it off.
     */
    @NotNull
    @JsonProperty
    private Duration refreshPeriod = Duration.seconds(30);

    /** Threads that handle upstream responses, shared by all providers. */
    @Min(2)
    @JsonProperty
    private int upstreamThreads = 256;

    /** Finding Ollama, LM Studio, llama.cpp and vLLM on this machine. */
    @Valid
    @NotNull
    @JsonProperty
    private LocalDiscoveryConfiguration localDiscovery = new LocalDiscoveryConfiguration();

    @Valid
    @NotNull
    @JsonProperty
    private ApiInfo api = new ApiInfo();

    public String defaultProvider() {
        return defaultProvider == null || defaultProvider.isBlank() ? null : defaultProvider.strip();
    }

    public Map<String, RouteGroup> aliases() {
        return aliases;
    }

    public Duration streamIdleTimeout() {
        return streamIdleTimeout;
    }

    public Duration streamHeartbeat() {
        return streamHeartbeat;
    }

    public ResilienceConfiguration resilience() {
        return resilience;
    }

    public Duration requestTimeout() {
        return requestTimeout;
    }

    public DataSize maxRequestSize() {
        return maxRequestSize;
    }

    public List<String> corsAllowedOrigins() {
        return corsAllowedOrigins;
    }

    public Duration discoveryTimeout() {
        return discoveryTimeout;
    }

    public Duration refreshPeriod() {
        return refreshPeriod;
    }

    public int upstreamThreads() {
        return upstreamThreads;
    }

    public LocalDiscoveryConfiguration localDiscovery() {
        return localDiscovery;
    }

    public ApiInfo api() {
        return api;
    }
}
