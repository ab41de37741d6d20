package io.switchboard.api;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.Map;

/** An entry of {@code tools}: {@code {"type":"function","function":{...}}}, or a {@code custom} tool (kept in {@link #extra}). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChatTool(
        String type,
        FunctionDefinition function,
        @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> extra) {

    public ChatTool {
        extra = Extras.copy(extra);
    }
}
