package io.switchboard.provider.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.switchboard.provider.ModelInfo;
import jakarta.validation.constraints.NotNull;

import java.util.List;

/**
 * An HTTP provider that can list its models: {@code models} names some up front (listed first,
 * and known even while the upstream is away), {@code discoverModels} asks the upstream for the rest.
 */
public abstract class CatalogProviderFactory extends HttpProviderFactory {

    @NotNull
    @JsonProperty
    private List<String> models = List.of();

    @JsonProperty
    private boolean discoverModels = true;

    protected CatalogProviderFactory() {}

    protected CatalogProviderFactory(String name, boolean apiKeyRequired) {
        super(name, apiKeyRequired);
    }

    protected boolean discoverModels() {
        return discoverModels;
    }

    /** The configured models, owned by {@code owner}. */
    protected List<ModelInfo> staticModels(String owner) {
        return models.stream().map(id -> ModelInfo.of(id, 0, owner)).toList();
    }

    /**
     * The upstream as the adapter sees it: name, base URL (without its trailing slash), key,
     * headers and the configured models owned by {@code owner}.
     */
    protected UpstreamSettings upstream(String baseUrl, String owner) {
        return new UpstreamSettings(
                name(), stripTrailingSlash(baseUrl), apiKey(), headers(), staticModels(owner), discoverModels);
    }

    @Override
    protected String describeSettings() {
        return ", models=" + models;
    }
}
