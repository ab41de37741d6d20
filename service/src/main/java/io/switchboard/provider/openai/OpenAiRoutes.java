package io.switchboard.provider.openai;

import java.util.Optional;

/**
 * Where an OpenAI-compatible provider sends each call. OpenAI's own layout puts every operation
 * under one base URL with the model in the body ({@link BaseUrlRoutes}); others put the model (or
 * a deployment named after it) in the path and add query parameters (Azure OpenAI).
 */
public interface OpenAiRoutes {

    /** Where requests go, for display; never contains a key. */
    String baseUrl();

    /** The URL of {@code path} ({@code /chat/completions}, {@code /embeddings} …) for {@code model}. */
    String url(String path, String model);

    /** The URL of the Responses API ({@code POST …/responses}) for {@code model}. */
    default String responsesUrl(String model) {
        return url("/responses", model);
    }

    /** The {@code model} a Responses API body names upstream (Azure: the deployment). */
    default String responsesModel(String model) {
        return model;
    }

    /** The URL of the model list, or empty when the upstream has none worth asking. */
    Optional<String> modelsUrl();
}
