package io.switchboard.provider.openai;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonTypeName;
import io.switchboard.provider.Provider;
import io.switchboard.provider.ProviderContext;
import io.switchboard.provider.http.CatalogProviderFactory;
import io.switchboard.provider.http.UpstreamErrors;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Pattern;

/**
 * {@code type: openai}: any upstream that speaks OpenAI's HTTP API (OpenAI, Groq, OpenRouter,
 * Together, Mistral, DeepSeek, vLLM, llama.cpp's server, LM Studio, Ollama's /v1 …).
 */
@JsonTypeName("openai")
public class OpenAiProviderFactory extends CatalogProviderFactory {

    @NotEmpty
    @Pattern(regexp = "https?://.+", message = "must be an http:// or https:// URL")
    @JsonProperty
    private String baseUrl;

    /**
     * Whether {@code /v1/responses} passes through to this upstream's own {@code /responses}
     * ({@code native}) or is translated to chat completions ({@code translate}). Unset: native
     * for OpenAI itself ({@code https://api.openai.com}), translate for everything else.
     */
    @JsonProperty
    private ResponsesApi responsesApi;

    public OpenAiProviderFactory() {}

    private OpenAiProviderFactory(String name, String baseUrl) {
        super(name, false);
        this.baseUrl = baseUrl;
    }

    /**
     * An entry for a server that needs no key, with every other setting at its default: what
     * local runtime discovery registers for an Ollama or LM Studio it finds.
     */
    public static OpenAiProviderFactory keyless(String name, String baseUrl) {
        return new OpenAiProviderFactory(name, baseUrl);
    }

    @Override
    public String type() {
        return "openai";
    }

    @Override
    public String baseUrl() {
        return baseUrl;
    }

    @Override
    public Provider build(ProviderContext context) {
        var transport = transport(context, UpstreamErrors.openAiParser(context.mapper()));
        var upstream = upstream(baseUrl, name());
        return new OpenAiCompatibleProvider(
                upstream, type(), new BaseUrlRoutes(upstream.baseUrl()), transport, nativeResponses());
    }

    /** What {@code responsesApi} says, or its default for this {@code baseUrl}. */
    boolean nativeResponses() {
        if (responsesApi != null) {
            return responsesApi == ResponsesApi.NATIVE;
        }
        return baseUrl != null && baseUrl.startsWith("https://api.openai.com/");
    }
}
