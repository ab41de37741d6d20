package io.switchboard.api;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The fields of a wire object that this code has no name for. Every wire record keeps them so
 * that a parameter OpenAI adds tomorrow passes through today.
 */
public final class Extras {

    private Extras() {}

    public static Map<String, JsonNode> copy(Map<String, JsonNode> extra) {
        if (extra == null || extra.isEmpty()) {
            return Map.of();
        }
        return Collections.unmodifiableMap(new LinkedHashMap<>(extra));
    }
}
