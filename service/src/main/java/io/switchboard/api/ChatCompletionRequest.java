package io.switchboard.api;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.swagger.v3.oas.annotations.media.Schema;

import java.util.List;
import java.util.Map;

/**
 * {@code POST /v1/chat/completions}. The fields the gateway reads are typed; everything else
 * (response_format, seed, logit_bias, parallel_tool_calls, reasoning_effort, and whatever comes
 * next) is kept in {@link #extra} and reaches OpenAI-compatible upstreams unchanged.
 */
// isStream() is a convenience, not a property: without this Jackson would write "stream": false.
@JsonAutoDetect(isGetterVisibility = JsonAutoDetect.Visibility.NONE)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChatCompletionRequest(
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) String model,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) List<ChatMessage> messages,
        Boolean stream,
        @JsonProperty("stream_options") StreamOptions streamOptions,
        Double temperature,
        @JsonProperty("top_p") Double topP,
        Integer n,
        @JsonProperty("max_tokens") Integer maxTokens,
        @JsonProperty("max_completion_tokens") Integer maxCompletionTokens,
        JsonNode stop,
        List<ChatTool> tools,
        @JsonProperty("tool_choice") JsonNode toolChoice,
        @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> extra) {

    public ChatCompletionRequest {
        extra = Extras.copy(extra);
    }

    /** A request of just a model and messages, streamed or not; every other field unset. */
    public static ChatCompletionRequest of(String model, List<ChatMessage> messages, boolean stream) {
        return new ChatCompletionRequest(
                model, messages, stream, null, null, null, null, null, null, null, null, null, Map.of());
    }

    public boolean isStream() {
        return Boolean.TRUE.equals(stream);
    }

    public boolean wantsUsageInStream() {
        return streamOptions != null && streamOptions.wantsUsage();
    }

    /** The completion-token limit the client asked for, by either name, or null. */
    public Integer tokenLimit() {
        return maxCompletionTokens != null ? maxCompletionTokens : maxTokens;
    }

    /** The same request asking for usage at the end of its stream ({@code stream_options.include_usage}). */
    public ChatCompletionRequest withUsageInStream() {
        var options = streamOptions == null
                ? new StreamOptions(true, Map.of())
                : new StreamOptions(true, streamOptions.extra());
        return new ChatCompletionRequest(
                model,
                messages,
                stream,
                options,
                temperature,
                topP,
                n,
                maxTokens,
                maxCompletionTokens,
                stop,
                tools,
                toolChoice,
                extra);
    }

    public ChatCompletionRequest withModel(String newModel) {
        return new ChatCompletionRequest(
                newModel,
                messages,
                stream,
                streamOptions,
                temperature,
                topP,
                n,
                maxTokens,
                maxCompletionTokens,
                stop,
                tools,
                toolChoice,
                extra);
    }
}
