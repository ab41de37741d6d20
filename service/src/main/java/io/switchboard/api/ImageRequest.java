package io.switchboard.api;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.swagger.v3.oas.annotations.media.Schema;

import java.util.Map;

/** {@code POST /v1/images/generations}; quality, style, background … ride in extra. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ImageRequest(
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) String model,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) String prompt,
        Integer n,
        String size,
        @JsonProperty("response_format") String responseFormat,
        @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> extra) {

    public ImageRequest {
        extra = Extras.copy(extra);
    }

    public ImageRequest withModel(String newModel) {
        return new ImageRequest(newModel, prompt, n, size, responseFormat, extra);
    }
}
