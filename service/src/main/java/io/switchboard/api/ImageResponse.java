package io.switchboard.api;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;

/** The images response: {@code created} and {@code data}; usage and output details in extra. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ImageResponse(
        long created,
        List<ImageData> data,
        @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> extra) {

    public ImageResponse {
        extra = Extras.copy(extra);
    }
}
