package io.switchboard.api;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.util.List;
import java.util.Map;

/**
 * The delta of a streamed chunk. {@code content} and {@code refusal} are JSON nodes so that a
 * relayed chunk keeps the difference between an absent field and an explicit null.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChunkDelta(
        String role,
        JsonNode content,
        JsonNode refusal,
        @JsonProperty("tool_calls") List<ToolCall> toolCalls,
        @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> extra) {

    public ChunkDelta {
        extra = Extras.copy(extra);
    }

    /** The opening delta OpenAI sends: role, empty content, null refusal. */
    public static ChunkDelta opening() {
        return new ChunkDelta("assistant", TextNode.valueOf(""), NullNode.getInstance(), null, Map.of());
    }

    public static ChunkDelta text(String text) {
        return new ChunkDelta(null, TextNode.valueOf(text), null, null, Map.of());
    }

    public static ChunkDelta toolCalls(List<ToolCall> calls) {
        return new ChunkDelta(null, null, null, calls, Map.of());
    }

    public static ChunkDelta empty() {
        return new ChunkDelta(null, null, null, null, Map.of());
    }

    /** The text of this delta, or "" when it carries none. */
    public String contentText() {
        return content != null && content.isTextual() ? content.textValue() : "";
    }
}
