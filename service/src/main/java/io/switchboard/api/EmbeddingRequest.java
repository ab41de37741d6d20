package io.switchboard.api;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.swagger.v3.oas.annotations.media.Schema;

import java.util.Map;

/** {@code POST /v1/embeddings}: {@code input} is a string, strings, or token arrays. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EmbeddingRequest(
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) String model,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) JsonNode input,
        @JsonProperty("encoding_format") String encodingFormat,
        Integer dimensions,
        @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> extra) {

    public EmbeddingRequest {
        extra = Extras.copy(extra);
    }

    public EmbeddingRequest withModel(String newModel) {
        return new EmbeddingRequest(newModel, input, encodingFormat, dimensions, extra);
    }
}
