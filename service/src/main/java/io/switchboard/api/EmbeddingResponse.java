package io.switchboard.api;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;

/** The embeddings list: {@code {"object":"list","data":[...],"model","usage"}}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EmbeddingResponse(
        String object,
        List<Embedding> data,
        String model,
        EmbeddingUsage usage,
        @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> extra) {

    public EmbeddingResponse {
        extra = Extras.copy(extra);
    }

    public EmbeddingResponse withModel(String newModel) {
        return new EmbeddingResponse(object, data, newModel, usage, extra);
    }
}
