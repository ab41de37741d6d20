package io.switchboard.api;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;

/** A {@code text_completion} object; streamed completions are a sequence of these. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CompletionResponse(
        String id,
        String object,
        long created,
        String model,
        List<CompletionChoice> choices,
        Usage usage,
        @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> extra) {

    public static final String OBJECT = "text_completion";

    public CompletionResponse {
        extra = Extras.copy(extra);
    }

    /**
     * This chunk as if usage had not been asked for: without {@code usage}, or nothing (null) for
     * a usage-only chunk.
     */
    public CompletionResponse withoutUsage() {
        if (usage == null) {
            return this;
        }
        if (choices == null || choices.isEmpty()) {
            return null;
        }
        return new CompletionResponse(id, object, created, model, choices, null, extra);
    }

    public CompletionResponse withModel(String newModel) {
        return new CompletionResponse(id, object, created, newModel, choices, usage, extra);
    }

    /** As a stream chunk: whether it carries any of the answer (text, a finish reason, usage). */
    public boolean carriesOutput() {
        return usage != null
                || (choices != null
                        && choices.stream()
                                .anyMatch(choice ->
                                        (choice.text() != null && !choice.text().isEmpty())
                                                || choice.finishReason() != null));
    }
}
