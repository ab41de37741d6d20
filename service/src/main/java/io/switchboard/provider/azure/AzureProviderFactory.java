package io.switchboard.provider.azure;

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
import io.switchboard.provider.UpstreamErrors;
import io.switchboard.provider.openai.OpenAiCompatibleProvider;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code type: azure}: Azure OpenAI through its deployment URLs, {@code api-version} and
 * {@code api-key} header. Everything else is the OpenAI-compatible path: bodies go out as the
 * client sent them and come back as Azure wrote them. Models are the configured deployments.
 */
@JsonTypeName("azure")
public class AzureProviderFactory implements ProviderFactory {

    /** The latest GA version of Azure OpenAI's dated data-plane inference API. */
    public static final String DEFAULT_API_VERSION = "2024-10-21";

    @NotEmpty
    @Pattern(regexp = "[A-Za-z0-9][A-Za-z0-9._-]*", message = "must be letters, digits, '.', '_' or '-' (no '/')")
    @JsonProperty
    private String name;

    /** {@code https://{resource}.openai.azure.com}. */
    @NotEmpty
    @Pattern(regexp = "https?://[^?#]+", message = "must be an http:// or https:// URL without a query")
    @JsonProperty
    private String endpoint;

    @JsonProperty
    private String apiKey;

    /** When true (the default), an empty apiKey disables the entry instead of sending no key. */
    @JsonProperty
    private boolean apiKeyRequired = true;

    @NotEmpty
    @JsonProperty
    private String apiVersion = DEFAULT_API_VERSION;

    @NotNull
    @JsonProperty
    private AzureDeployments deployments = AzureDeployments.none();

    @NotNull
    @JsonProperty
    private Map<String, String> headers = Map.of();

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
        return "azure";
    }

    @Override
    public String baseUrl() {
        return endpoint == null ? null : stripTrailingSlash(endpoint) + "/openai";
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
                UpstreamErrors.openAiParser(context.mapper()), (int) Math.min(Integer.MAX_VALUE, maxResponseSize.toBytes()));
        var routes = new AzureDeploymentRoutes(stripTrailingSlash(endpoint), apiVersion, deployments.byModel());
        var staticModels = deployments.byModel().keySet().stream().map(id -> ModelInfo.of(id, 0, name)).toList();
        // Azure's key goes in its own header, not as a Bearer token.
        var allHeaders = new LinkedHashMap<>(headers);
        if (apiKey != null && !apiKey.isBlank()) {
            allHeaders.put("api-key", apiKey);
        }
        return new OpenAiCompatibleProvider(name, type(), routes, null, allHeaders, transport, staticModels, false);
    }

    private static String stripTrailingSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    @Override
    public String toString() {
        return "AzureProviderFactory[name=" + name + ", endpoint=" + endpoint + ", apiVersion=" + apiVersion
                + ", apiKey=" + (apiKey == null || apiKey.isEmpty() ? "<none>" : "[REDACTED]")
                + ", headers=" + headers.keySet() + ", deployments=" + deployments + "]";
    }
}
