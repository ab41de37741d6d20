package io.switchboard.api;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.Map;

/** A function a model may call: name, description and a JSON Schema of its parameters. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FunctionDefinition(
        String name,
        String description,
        JsonNode parameters,
        Boolean strict,
        @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> extra) {

    public FunctionDefinition {
        extra = Extras.copy(extra);
    }
}
