package io.switchboard.api;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.Map;

/** Token counts of an embeddings call: there are no completion tokens. */
public record EmbeddingUsage(
        @JsonProperty("prompt_tokens") long promptTokens,
        @JsonProperty("total_tokens") long totalTokens,
        @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> extra) {

    public EmbeddingUsage {
        extra = Extras.copy(extra);
    }
}
