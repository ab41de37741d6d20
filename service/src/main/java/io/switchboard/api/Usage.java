package io.switchboard.api;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.Map;

/** Token counts of a chat or text completion; the *_details objects ride along in extra. */
public record Usage(
        @JsonProperty("prompt_tokens") long promptTokens,
        @JsonProperty("completion_tokens") long completionTokens,
        @JsonProperty("total_tokens") long totalTokens,
        @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> extra) {

    public Usage {
        extra = Extras.copy(extra);
    }

    /** A usage object as a JSON node (a chunk's {@code usage}); null for a missing or null node. */
    public static Usage fromNode(JsonNode node) {
        if (node == null || !node.isObject()) {
            return null;
        }
        var extra = new java.util.LinkedHashMap<String, JsonNode>();
        node.fields().forEachRemaining(field -> {
            switch (field.getKey()) {
                case "prompt_tokens", "completion_tokens", "total_tokens" -> {}
                default -> extra.put(field.getKey(), field.getValue());
            }
        });
        return new Usage(
                node.path("prompt_tokens").asLong(0),
                node.path("completion_tokens").asLong(0),
                node.path("total_tokens").asLong(0),
                extra);
    }

    public static Usage of(long promptTokens, long completionTokens) {
        return new Usage(promptTokens, completionTokens, promptTokens + completionTokens, Map.of());
    }
}
