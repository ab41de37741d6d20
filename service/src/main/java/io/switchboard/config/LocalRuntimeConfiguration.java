package io.switchboard.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.switchboard.provider.http.HttpProviderFactory;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Pattern;

import java.util.ArrayList;
import java.util.List;

/**
 * One place local discovery looks for a runtime: the provider name it is served under, a label
 * for the log, and its OpenAI-compatible base URL (the model list is {@code {baseUrl}/models}).
 */
public class LocalRuntimeConfiguration {

    @NotEmpty
    @Pattern(regexp = "[A-Za-z0-9][A-Za-z0-9._-]*", message = "must be letters, digits, '.', '_' or '-' (no '/')")
    @JsonProperty
    private String name;

    @NotEmpty
    @JsonProperty
    private String label;

    @NotEmpty
    @Pattern(regexp = "https?://[^?#]+", message = "must be an http:// or https:// URL without a query")
    @JsonProperty
    private String baseUrl;

    public LocalRuntimeConfiguration() {}

    public LocalRuntimeConfiguration(String name, String label, String baseUrl) {
        this.name = name;
        this.label = label;
        this.baseUrl = baseUrl;
    }

    /** Each runtime on its default port; a new list each time, as configuration objects are mutable. */
    public static List<LocalRuntimeConfiguration> defaults() {
        return new ArrayList<>(List.of(
                new LocalRuntimeConfiguration("ollama", "Ollama", "http://127.0.0.1:11434/v1"),
                new LocalRuntimeConfiguration("lmstudio", "LM Studio", "http://127.0.0.1:1234/v1"),
                new LocalRuntimeConfiguration("llamacpp", "llama.cpp server", "http://127.0.0.1:8080/v1"),
                new LocalRuntimeConfiguration("vllm", "vLLM", "http://127.0.0.1:8000/v1")));
    }

    public String name() {
        return name;
    }

    public String label() {
        return label;
    }

    public String baseUrl() {
        return HttpProviderFactory.stripTrailingSlash(baseUrl);
    }

    @Override
    public String toString() {
        return "LocalRuntimeConfiguration[" + name + ", " + baseUrl + "]";
    }
}
