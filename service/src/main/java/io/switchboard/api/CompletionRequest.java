package io.switchboard.api;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.swagger.v3.oas.annotations.media.Schema;

import java.util.Map;

/** {@code POST /v1/completions} (legacy): {@code prompt} is a string, strings, or token arrays. */
// isStream() is a convenience, not a property: without this Jackson would write "stream": false.
@JsonAutoDetect(isGetterVisibility = JsonAutoDetect.Visibility.NONE)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CompletionRequest(
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) String model,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) JsonNode prompt,
        Boolean stream,
        @JsonProperty("stream_options") StreamOptions streamOptions,
        @JsonProperty("max_tokens") Integer maxTokens,
        Double temperature,
        @JsonProperty("top_p") Double topP,
        Integer n,
        @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> extra) {

    public CompletionRequest {
        extra = Extras.copy(extra);
    }

    public boolean isStream() {
        return Boolean.TRUE.equals(stream);
    }

    public boolean wantsUsageInStream() {
        return streamOptions != null && streamOptions.wantsUsage();
    }

    /** The same request asking for usage at the end of its stream ({@code stream_options.include_usage}). */
    public CompletionRequest withUsageInStream() {
        var options = streamOptions == null
                ? new StreamOptions(true, Map.of())
                : new StreamOptions(true, streamOptions.extra());
        return new CompletionRequest(model, prompt, stream, options, maxTokens, temperature, topP, n, extra);
    }

    public CompletionRequest withModel(String newModel) {
        return new CompletionRequest(newModel, prompt, stream, streamOptions, maxTokens, temperature, topP, n, extra);
    }
}
