package io.switchboard.provider.anthropic;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonTypeName;
import io.switchboard.provider.Provider;
import io.switchboard.provider.ProviderContext;
import io.switchboard.provider.http.CatalogProviderFactory;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

/**
 * {@code type: anthropic}: Anthropic's Messages API, translated both ways so that an OpenAI client
 * can use Claude models. Keys and defaults follow {@code type: openai} where they mean the same.
 */
@JsonTypeName("anthropic")
public class AnthropicProviderFactory extends CatalogProviderFactory {

    /** Without {@code /v1}: the adapter adds {@code /v1/messages} and {@code /v1/models}. */
    @NotEmpty
    @Pattern(regexp = "https?://.+", message = "must be an http:// or https:// URL")
    @JsonProperty
    private String baseUrl = "https://api.anthropic.com";

    @NotNull
    @JsonProperty
    private AnthropicVersion anthropicVersion = AnthropicVersion.V2023_06_01;

    /** Anthropic requires max_tokens; this is sent when the client gives no limit of its own. */
    @Min(1)
    @JsonProperty
    private int defaultMaxTokens = 4096;

    @Override
    public String type() {
        return "anthropic";
    }

    @Override
    public String baseUrl() {
        return baseUrl;
    }

    public AnthropicVersion anthropicVersion() {
        return anthropicVersion;
    }

    @Override
    public Provider build(ProviderContext context) {
        var transport = transport(context, AnthropicMapper.errorParser(context.mapper()));
        var settings =
                new AnthropicSettings(upstream(baseUrl, AnthropicMapper.OWNER), anthropicVersion, defaultMaxTokens);
        return new AnthropicProvider(settings, transport);
    }

    @Override
    protected String describeSettings() {
        return super.describeSettings() + ", anthropicVersion=" + anthropicVersion + ", defaultMaxTokens="
                + defaultMaxTokens;
    }
}
