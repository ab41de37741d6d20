package io.switchboard.provider.openai;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/**
 * How an OpenAI-compatible provider serves {@code /v1/responses}: passed through to the
 * upstream's own Responses API, or translated to chat completions by the gateway.
 */
public enum ResponsesApi {
    NATIVE,
    TRANSLATE;

    @JsonCreator
    public static ResponsesApi parse(String text) {
        return switch (text == null ? "" : text.strip().toLowerCase(Locale.ROOT)) {
            case "native" -> NATIVE;
            case "translate" -> TRANSLATE;
            default -> throw new IllegalArgumentException("responsesApi must be native or translate, not " + text);
        };
    }

    @JsonValue
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
