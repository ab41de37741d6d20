package io.switchboard.api;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;

/**
 * A {@code chat.completion.chunk}. {@code usage} is a JSON node because OpenAI writes
 * {@code "usage": null} on every chunk but the last when usage was asked for, and omits it
 * otherwise; a relay must keep both forms.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChatCompletionChunk(
        String id,
        String object,
        long created,
        String model,
        List<ChunkChoice> choices,
        JsonNode usage,
        @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> extra) {

    public static final String OBJECT = "chat.completion.chunk";

    public ChatCompletionChunk {
        extra = Extras.copy(extra);
    }

    public ChatCompletionChunk withModel(String newModel) {
        return new ChatCompletionChunk(id, object, created, newModel, choices, usage, extra);
    }
}
