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

    /**
     * Whether this delta carries any of the answer: text, a refusal, tool calls, or a field this
     * gateway does not model (reasoning text, audio) with a value. Role alone does not.
     */
    public boolean carriesOutput() {
        return present(content)
                || present(refusal)
                || (toolCalls != null && !toolCalls.isEmpty())
                || extra.values().stream().anyMatch(ChunkDelta::present);
    }

    private static boolean present(JsonNode value) {
        return value != null
                && !value.isNull()
                && !(value.isTextual() && value.textValue().isEmpty());
    }

    /** The text of this delta, or "" when it carries none. */
    public String contentText() {
        return content != null && content.isTextual() ? content.textValue() : "";
    }
}
