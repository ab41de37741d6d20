package io.switchboard.api;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.Map;

/** One choice of a chat completion; {@code logprobs} and {@code finish_reason} are always written. */
public record ChatChoice(
        int index,
        ChatResponseMessage message,
        @JsonInclude(JsonInclude.Include.ALWAYS) JsonNode logprobs,

        @JsonProperty("finish_reason") @JsonInclude(JsonInclude.Include.ALWAYS)
        String finishReason,

        @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> extra) {

    public ChatChoice {
        extra = Extras.copy(extra);
    }

    public ChatChoice(int index, ChatResponseMessage message, String finishReason) {
        this(index, message, null, finishReason, Map.of());
    }
}
