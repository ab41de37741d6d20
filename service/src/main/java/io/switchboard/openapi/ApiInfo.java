package io.switchboard.openapi;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.NotEmpty;

/** {@code gateway.api}: the title, description and version the OpenAPI document shows. */
public class ApiInfo {

    @NotEmpty
    @JsonProperty
    private String title = "Switchboard";

    @JsonProperty
    private String description = "One OpenAI-compatible API in front of many LLM providers.";

    @NotEmpty
    @JsonProperty
    private String version = "0.1.0";

    public String title() {
        return title;
    }

    public String description() {
        return description;
    }

    public String version() {
        return version;
    }
}
