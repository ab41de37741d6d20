package io.switchboard.api;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;

/**
 * The assistant message of a chat completion. {@code content} and {@code refusal} are required
 * and nullable in OpenAI's schema, so they are always written, null or not.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChatResponseMessage(
        String role,
        @JsonInclude(JsonInclude.Include.ALWAYS) String content,
        @JsonInclude(JsonInclude.Include.ALWAYS) String refusal,
        @JsonProperty("tool_calls") List<ToolCall> toolCalls,
        @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> extra) {

    public ChatResponseMessage {
        extra = Extras.copy(extra);
    }

    public static ChatResponseMessage assistant(String content, List<ToolCall> toolCalls) {
        return new ChatResponseMessage("assistant", content, null, toolCalls, Map.of());
    }
}
