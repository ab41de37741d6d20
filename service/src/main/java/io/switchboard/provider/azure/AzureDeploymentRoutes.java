package io.switchboard.provider.azure;

import io.switchboard.provider.openai.OpenAiRoutes;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * Azure OpenAI's dated API: {@code {endpoint}/openai/deployments/{deployment}/chat/completions?api-version=…}.
 * The deployment is the one configured for the model id; an id with none configured is taken
 * as a deployment name itself. Azure ignores the body's {@code model}, so it stays as routed.
 *
 * @param endpoint    {@code https://{resource}.openai.azure.com}, without a trailing slash
 * @param apiVersion  the {@code api-version} query parameter
 * @param deployments public model id → deployment name
 */
public record AzureDeploymentRoutes(String endpoint, String apiVersion, Map<String, String> deployments)
        implements OpenAiRoutes {

    public AzureDeploymentRoutes {
        deployments = Map.copyOf(deployments);
    }

    @Override
    public String baseUrl() {
        return endpoint + "/openai";
    }

    @Override
    public String url(String path, String model) {
        String deployment = deployments.getOrDefault(model, model);
        return endpoint + "/openai/deployments/" + encode(deployment) + path + "?api-version=" + encode(apiVersion);
    }

    /**
     * Azure serves the Responses API on its v1 surface, one URL for every deployment, the
     * deployment named in the body's {@code model}.
     */
    @Override
    public String responsesUrl(String model) {
        return endpoint + "/openai/v1/responses";
    }

    @Override
    public String responsesModel(String model) {
        return deployments.getOrDefault(model, model);
    }

    /** The dated API lists base models, not deployments; the configured deployments are the list. */
    @Override
    public Optional<String> modelsUrl() {
        return Optional.empty();
    }

    private static String encode(String value) {
        // URLEncoder writes the form encoding; a path segment wants %20 for a space.
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
