package io.switchboard.api;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;

import java.util.Map;

/** One choice of a streamed chunk; {@code finish_reason} is null until the end, and always written. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChunkChoice(
        int index,
        ChunkDelta delta,
        JsonNode logprobs,

        @JsonProperty("finish_reason") @JsonInclude(JsonInclude.Include.ALWAYS)
        String finishReason,

        @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> extra) {

    public ChunkChoice {
        extra = Extras.copy(extra);
    }

    public ChunkChoice(int index, ChunkDelta delta, String finishReason) {
        this(index, delta, NullNode.getInstance(), finishReason, Map.of());
    }

    /** Whether this choice carries any of the answer (see {@link ChatCompletionChunk#carriesOutput()}). */
    public boolean carriesOutput() {
        return finishReason != null
                || (logprobs != null && !logprobs.isNull())
                || (delta != null && delta.carriesOutput());
    }
}
