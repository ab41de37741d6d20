package io.switchboard.api;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.Map;

/** The function part of a tool call: a name and its arguments as a JSON string. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FunctionCall(
        String name,
        String arguments,
        @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> extra) {

    public FunctionCall {
        extra = Extras.copy(extra);
    }

    public FunctionCall(String name, String arguments) {
        this(name, arguments, Map.of());
    }
}
