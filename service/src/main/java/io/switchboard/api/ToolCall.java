package io.switchboard.api;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.Map;

/**
 * A tool call, in an assistant message or (with {@code index} and fragments) in a stream delta.
 * In deltas every field but {@code index} may be absent.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ToolCall(
        Integer index,
        String id,
        String type,
        FunctionCall function,
        @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> extra) {

    public ToolCall {
        extra = Extras.copy(extra);
    }

    public static ToolCall function(String id, String name, String arguments) {
        return new ToolCall(null, id, "function", new FunctionCall(name, arguments), Map.of());
    }
}
