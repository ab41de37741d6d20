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

    /**
     * Whether this chunk carries any of the answer: text, a refusal, tool calls, a finish reason,
     * log probabilities, usage, or a delta field this gateway does not model. The chunk a stream
     * opens with (role and empty content only) does not.
     */
    public boolean carriesOutput() {
        if (usage != null && !usage.isNull()) {
            return true;
        }
        return choices != null && choices.stream().anyMatch(ChunkChoice::carriesOutput);
    }

    /** The usage this chunk reports (the last chunk of a stream asked for it), or null. */
    public Usage reportedUsage() {
        return Usage.fromNode(usage);
    }

    /**
     * This chunk as if usage had not been asked for: without its {@code usage} field, or nothing
     * (null) for the usage-only chunk that ends such a stream.
     */
    public ChatCompletionChunk withoutUsage() {
        if (usage == null) {
            return this;
        }
        if (!usage.isNull() && (choices == null || choices.isEmpty())) {
            return null;
        }
        return new ChatCompletionChunk(id, object, created, model, choices, null, extra);
    }

    public ChatCompletionChunk withModel(String newModel) {
        return new ChatCompletionChunk(id, object, created, newModel, choices, usage, extra);
    }
}
