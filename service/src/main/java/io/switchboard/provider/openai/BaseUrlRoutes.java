package io.switchboard.provider.openai;

import java.util.Optional;

/** OpenAI's layout: {@code {baseUrl}/chat/completions}, {@code {baseUrl}/models} …, the model in the body. */
public record BaseUrlRoutes(String baseUrl) implements OpenAiRoutes {

    @Override
    public String url(String path, String model) {
        return baseUrl + path;
    }

    @Override
    public Optional<String> modelsUrl() {
        return Optional.of(baseUrl + "/models");
    }
}
