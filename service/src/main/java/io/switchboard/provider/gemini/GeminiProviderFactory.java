package io.switchboard.provider.gemini;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonTypeName;
import io.dropwizard.util.DataSize;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MinDataSize;
import io.dropwizard.validation.MinDuration;
import io.switchboard.provider.HttpClientSettings;
import io.switchboard.provider.JsonHttpTransport;
import io.switchboard.provider.ModelInfo;
import io.switchboard.provider.Provider;
import io.switchboard.provider.ProviderContext;
import io.switchboard.provider.ProviderFactory;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code type: gemini}: Google's Generative Language API ({@code generativelanguage.googleapis.com}),
 * translated to and from OpenAI's chat and embeddings API.
 */
@JsonTypeName("gemini")
public class GeminiProviderFactory implements ProviderFactory {

    public static final String DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com/v1beta";

    @NotEmpty
    @Pattern(regexp = "[A-Za-z0-9][A-Za-z0-9._-]*", message = "must be letters, digits, '.', '_' or '-' (no '/')")
    @JsonProperty
    private String name;

    @NotEmpty
    @Pattern(regexp = "https?://[^?#]+", message = "must be an http:// or https:// URL without a query")
    @JsonProperty
    private String baseUrl = DEFAULT_BASE_URL;

    @JsonProperty
    private String apiKey;

    /** When true (the default), an empty apiKey disables the entry instead of sending no key. */
    @JsonProperty
    private boolean apiKeyRequired = true;

    @NotNull
    @JsonProperty
    private Map<String, String> headers = Map.of();

    @NotNull
    @JsonProperty
    private List<String> models = List.of();

    @JsonProperty
    private boolean discoverModels = true;

    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.MILLISECONDS)
    @JsonProperty
    private Duration connectTimeout = Duration.seconds(10);

    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.MILLISECONDS)
    @JsonProperty
    private Duration readTimeout = Duration.seconds(300);

    @NotNull
    @JsonProperty
    private Duration idleConnectionTimeout = Duration.seconds(60);

    @Min(1)
    @JsonProperty
    private int maxConnections = 1024;

    @Min(0)
    @JsonProperty
    private int maxQueuedRequests = 4096;

    @NotNull
    @MinDataSize(1)
    @JsonProperty
    private DataSize maxResponseSize = DataSize.mebibytes(64);

    @Override
    public String name() {
        return name;
    }

    @Override
    public String type() {
        return "gemini";
    }

    @Override
    public String baseUrl() {
        return baseUrl;
    }

    @Override
    public Optional<String> disabledReason() {
        if (apiKeyRequired && (apiKey == null || apiKey.isBlank())) {
            return Optional.of("apiKey is empty (set the environment variable config.yml reads it from)");
        }
        return Optional.empty();
    }

    @Override
    public Provider build(ProviderContext context) {
        var client = context.http().newClient(new HttpClientSettings(connectTimeout.toJavaDuration(),
                idleConnectionTimeout.toJavaDuration(), maxConnections, maxQueuedRequests));
        var transport = new JsonHttpTransport(name, client, context.mapper(), readTimeout.toJavaDuration(),
                GeminiMapper.errorParser(context.mapper()), (int) Math.min(Integer.MAX_VALUE, maxResponseSize.toBytes()));
        var staticModels = models.stream().map(id -> ModelInfo.of(id, 0, GeminiMapper.OWNER)).toList();
        return new GeminiProvider(name, stripTrailingSlash(baseUrl), apiKey, headers, transport, staticModels,
                discoverModels, Clock.systemUTC());
    }

    private static String stripTrailingSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    @Override
    public String toString() {
        return "GeminiProviderFactory[name=" + name + ", baseUrl=" + baseUrl
                + ", apiKey=" + (apiKey == null || apiKey.isEmpty() ? "<none>" : "[REDACTED]")
                + ", headers=" + headers.keySet() + ", models=" + models + "]";
    }
}
