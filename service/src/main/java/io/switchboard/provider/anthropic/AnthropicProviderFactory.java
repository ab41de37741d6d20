package io.switchboard.provider.anthropic;

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

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code type: anthropic}: Anthropic's Messages API, translated both ways so that an OpenAI client
 * can use Claude models. Keys and defaults follow {@code type: openai} where they mean the same.
 */
@JsonTypeName("anthropic")
public class AnthropicProviderFactory implements ProviderFactory {

    @NotEmpty
    @Pattern(regexp = "[A-Za-z0-9][A-Za-z0-9._-]*", message = "must be letters, digits, '.', '_' or '-' (no '/')")
    @JsonProperty
    private String name;

    /** Without {@code /v1}: the adapter adds {@code /v1/messages} and {@code /v1/models}. */
    @NotEmpty
    @Pattern(regexp = "https?://.+", message = "must be an http:// or https:// URL")
    @JsonProperty
    private String baseUrl = "https://api.anthropic.com";

    @JsonProperty
    private String apiKey;

    /** When true (the default), an empty apiKey disables the entry instead of sending no key. */
    @JsonProperty
    private boolean apiKeyRequired = true;

    @NotNull
    @JsonProperty
    private AnthropicVersion anthropicVersion = AnthropicVersion.V2023_06_01;

    /** Anthropic requires max_tokens; this is sent when the client gives no limit of its own. */
    @Min(1)
    @JsonProperty
    private int defaultMaxTokens = 4096;

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
        return "anthropic";
    }

    @Override
    public String baseUrl() {
        return baseUrl;
    }

    public AnthropicVersion anthropicVersion() {
        return anthropicVersion;
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
                AnthropicMapper.errorParser(context.mapper()),
                (int) Math.min(Integer.MAX_VALUE, maxResponseSize.toBytes()));
        var staticModels = models.stream().map(id -> ModelInfo.of(id, 0, AnthropicMapper.OWNER)).toList();
        var settings = new AnthropicSettings(name, stripTrailingSlash(baseUrl), apiKey, anthropicVersion,
                defaultMaxTokens, headers, staticModels, discoverModels);
        return new AnthropicProvider(settings, transport);
    }

    private static String stripTrailingSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    @Override
    public String toString() {
        return "AnthropicProviderFactory[name=" + name + ", baseUrl=" + baseUrl
                + ", apiKey=" + (apiKey == null || apiKey.isEmpty() ? "<none>" : "[REDACTED]")
                + ", anthropicVersion=" + anthropicVersion + ", defaultMaxTokens=" + defaultMaxTokens
                + ", headers=" + headers.keySet() + ", models=" + models + "]";
    }
}
