package io.switchboard.provider.azure;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonTypeName;
import io.switchboard.provider.ModelInfo;
import io.switchboard.provider.Provider;
import io.switchboard.provider.ProviderContext;
import io.switchboard.provider.http.HttpProviderFactory;
import io.switchboard.provider.http.UpstreamErrors;
import io.switchboard.provider.http.UpstreamSettings;
import io.switchboard.provider.openai.OpenAiCompatibleProvider;
import io.switchboard.provider.openai.ResponsesApi;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

import java.util.LinkedHashMap;

/**
 * {@code type: azure}: Azure OpenAI through its deployment URLs, {@code api-version} and
 * {@code api-key} header. Everything else is the OpenAI-compatible path: bodies go out as the
 * client sent them and come back as Azure wrote them. Models are the configured deployments.
 */
@JsonTypeName("azure")
public class AzureProviderFactory extends HttpProviderFactory {

    /** The latest GA version of Azure OpenAI's dated data-plane inference API. */
    public static final String DEFAULT_API_VERSION = "2024-10-21";

    /** {@code https://{resource}.openai.azure.com}. */
    @NotEmpty
    @Pattern(regexp = "https?://[^?#]+", message = "must be an http:// or https:// URL without a query")
    @JsonProperty
    private String endpoint;

    @NotEmpty
    @JsonProperty
    private String apiVersion = DEFAULT_API_VERSION;

    @NotNull
    @JsonProperty
    private AzureDeployments deployments = AzureDeployments.none();

    /** Azure OpenAI serves the Responses API itself; {@code translate} sends it as chat completions instead. */
    @NotNull
    @JsonProperty
    private ResponsesApi responsesApi = ResponsesApi.NATIVE;

    @Override
    public String type() {
        return "azure";
    }

    @Override
    public String baseUrl() {
        return endpoint == null ? null : stripTrailingSlash(endpoint) + "/openai";
    }

    @Override
    public Provider build(ProviderContext context) {
        var transport = transport(context, UpstreamErrors.openAiParser(context.mapper()));
        var routes = new AzureDeploymentRoutes(stripTrailingSlash(endpoint), apiVersion, deployments.byModel());
        var staticModels = deployments.byModel().keySet().stream()
                .map(id -> ModelInfo.of(id, 0, name()))
                .toList();
        // Azure's key goes in its own header, not as a Bearer token.
        var allHeaders = new LinkedHashMap<>(headers());
        if (apiKey() != null) {
            allHeaders.put("api-key", apiKey());
        }
        var upstream = new UpstreamSettings(name(), baseUrl(), null, allHeaders, staticModels, false);
        return new OpenAiCompatibleProvider(upstream, type(), routes, transport, responsesApi == ResponsesApi.NATIVE);
    }

    @Override
    protected String describeSettings() {
        return ", apiVersion=" + apiVersion + ", deployments=" + deployments;
    }
}
