package io.switchboard.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.switchboard.provider.http.HttpProviderFactory;
import io.switchboard.registry.RuntimeKind;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Pattern;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One place local discovery looks for a runtime: the provider name it is served under, a label
 * for the log, its OpenAI-compatible base URL (the model list is {@code {baseUrl}/models}) and
 * which runtime must answer there ({@code kind}; by default the one the name says).
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

    /** ollama, lmstudio, llamacpp or vllm; when omitted, the name must be one of them. */
    @Pattern(regexp = "ollama|lmstudio|llamacpp|vllm", message = "must be one of ollama, lmstudio, llamacpp, vllm")
    @JsonProperty
    private String kind;

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

    /** The runtime to recognise: {@code kind}, or else the one named like this entry; empty when neither says. */
    public Optional<RuntimeKind> kind() {
        return RuntimeKind.byId(kind != null ? kind : name);
    }

    public String baseUrl() {
        return HttpProviderFactory.stripTrailingSlash(baseUrl);
    }

    @Override
    public String toString() {
        return "LocalRuntimeConfiguration[" + name + ", " + baseUrl + "]";
    }
}
