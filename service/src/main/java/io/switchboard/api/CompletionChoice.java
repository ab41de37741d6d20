package io.switchboard.api;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.Map;

/** One choice of a text completion; logprobs and finish_reason are required and nullable. */
public record CompletionChoice(
        int index,
        String text,
        @JsonInclude(JsonInclude.Include.ALWAYS) JsonNode logprobs,

        @JsonProperty("finish_reason") @JsonInclude(JsonInclude.Include.ALWAYS)
        String finishReason,

        @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> extra) {

    public CompletionChoice {
        extra = Extras.copy(extra);
    }
}
