package io.switchboard.api;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.Map;

/** One vector: an array of floats, or a base64 string when {@code encoding_format} is base64. */
public record Embedding(
        String object,
        int index,
        JsonNode embedding,
        @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> extra) {

    public Embedding {
        extra = Extras.copy(extra);
    }
}
