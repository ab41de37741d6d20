package io.switchboard.config;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import io.dropwizard.util.DataSize;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MinDataSize;
import io.dropwizard.validation.MinDuration;
import io.switchboard.auth.ApiKeys;
import io.switchboard.openapi.ApiInfo;
import io.switchboard.provider.ProviderContext;
import io.switchboard.routing.RouteGroup;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import java.util.ArrayList;
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

    /** How long to wait for an upstream connection (TCP and TLS); a provider's own setting wins. */
    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.MILLISECONDS)
    @JsonProperty
    private Duration connectTimeout = Duration.seconds(10);

    /** Longest silence while waiting for an upstream's response or its next bytes; a provider's own wins. */
    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.MILLISECONDS)
    @JsonProperty
    private Duration readTimeout = Duration.seconds(300);

    /** Longest silence between two events of a started stream; then it ends with an in-band error. */
    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.MILLISECONDS)
    @JsonProperty
    private Duration streamIdleTimeout = Duration.seconds(60);

    /** How often an SSE comment is sent on a quiet stream, so proxies keep it and gone clients are noticed. 0: never. */
    @NotNull
    @JsonProperty
    private Duration streamHeartbeat = Duration.seconds(15);

    /** The JIT's warm-up before the ports open; off by default. */
    @Valid
    @NotNull
    @JsonProperty
    private WarmupConfiguration warmup = new WarmupConfiguration();

    @Valid
    @NotNull
    @JsonProperty
    private ResilienceConfiguration resilience = new ResilienceConfiguration();

    /** Largest request body accepted; larger ones get 413 before they are read. */
    @NotNull
    @MinDataSize(1)
    @JsonProperty
    private DataSize maxRequestSize = DataSize.mebibytes(10);

    /**
     * The longest a client may take to send its request body, however steadily it trickles; past
     * it the upload is cut off with a 408. Bounds how long a slow client can hold a request thread.
     */
    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.MILLISECONDS)
    @JsonProperty
    private Duration requestReadTimeout = Duration.seconds(60);

    /**
     * SHA-256 (lowercase hex) of each key in {@code apiKeys}. The keys themselves are hashed as
     * the configuration is read and never stored.
     */
    private List<String> apiKeyHashes = List.of();

    /** A file of SHA-256 hashes of further keys, one per line; empty for none. */
    @JsonProperty
    private String apiKeysFile;

    @Valid
    @NotNull
    @JsonProperty
    private RateLimitConfiguration rateLimit = new RateLimitConfiguration();

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

    /**
     * {@code apiKeys}: a YAML list, or one string of comma-separated keys (what
     * {@code ${SWITCHBOARD_API_KEYS:-}} gives). Empty entries are skipped, so an unset variable
     * means no keys.
     */
    @JsonProperty("apiKeys")
    @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
    @JsonSetter(nulls = Nulls.AS_EMPTY, contentNulls = Nulls.SKIP)
    private void setApiKeys(List<String> keys) {
        var hashes = new ArrayList<String>();
        for (String entry : keys) {
            for (String key : entry.split(",")) {
                if (key.contains("${")) {
                    // ${VAR} without a default stays as text when VAR is unset; that text must
                    // not become a key anyone can send.
                    throw new IllegalArgumentException(
                            "gateway.apiKeys names an environment variable that is not" + " set; write it as ${VAR:-}");
                }
                if (!key.isBlank()) {
                    hashes.add(ApiKeys.sha256Hex(key.strip()));
                }
            }
        }
        this.apiKeyHashes = List.copyOf(hashes);
    }

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

    public WarmupConfiguration warmup() {
        return warmup;
    }

    public ResilienceConfiguration resilience() {
        return resilience;
    }

    public Duration requestTimeout() {
        return requestTimeout;
    }

    /** The upstream timeouts providers use unless they set their own. */
    public ProviderContext.UpstreamTimeouts upstreamTimeouts() {
        return new ProviderContext.UpstreamTimeouts(connectTimeout.toJavaDuration(), readTimeout.toJavaDuration());
    }

    public DataSize maxRequestSize() {
        return maxRequestSize;
    }

    public Duration requestReadTimeout() {
        return requestReadTimeout;
    }

    /** SHA-256 hashes of the keys given in {@code apiKeys}; never the keys. */
    public List<String> apiKeyHashes() {
        return apiKeyHashes;
    }

    public String apiKeysFile() {
        return apiKeysFile == null || apiKeysFile.isBlank() ? null : apiKeysFile.strip();
    }

    public RateLimitConfiguration rateLimit() {
        return rateLimit;
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
