package io.switchboard.provider.gemini;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonTypeName;
import io.switchboard.provider.Provider;
import io.switchboard.provider.ProviderContext;
import io.switchboard.provider.http.CatalogProviderFactory;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Pattern;

import java.time.Clock;

/**
 * {@code type: gemini}: Google's Generative Language API ({@code generativelanguage.googleapis.com}),
 * translated to and from OpenAI's chat and embeddings API.
 */
@JsonTypeName("gemini")
public class GeminiProviderFactory extends CatalogProviderFactory {

    public static final String DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com/v1beta";

    @NotEmpty
    @Pattern(regexp = "https?://[^?#]+", message = "must be an http:// or https:// URL without a query")
    @JsonProperty
    private String baseUrl = DEFAULT_BASE_URL;

    @Override
    public String type() {
        return "gemini";
    }

    @Override
    public String baseUrl() {
        return baseUrl;
    }

    @Override
    public Provider build(ProviderContext context) {
        var transport = transport(context, GeminiMapper.errorParser(context.mapper()));
        return new GeminiProvider(upstream(baseUrl, GeminiMapper.OWNER), transport, Clock.systemUTC());
    }
}
