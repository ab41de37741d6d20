package io.switchboard.api;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.Map;

/** One generated image: base64 PNG data or a URL, and the prompt the model actually used. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ImageData(
        @JsonProperty("b64_json") String b64Json,
        String url,
        @JsonProperty("revised_prompt") String revisedPrompt,
        @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> extra) {

    public ImageData {
        extra = Extras.copy(extra);
    }
}
