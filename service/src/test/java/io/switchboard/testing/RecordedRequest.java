package io.switchboard.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One request as {@link FakeUpstream} received it.
 *
 * @param method HTTP method, upper case as sent
 * @param path raw request path, without the query string
 * @param query raw query string without the leading {@code ?}, or {@code null} when absent
 * @param headers header values by lower-case name, in arrival order
 * @param body request body decoded as UTF-8 ({@code ""} when there is none)
 * @param receivedAt when the request head and body had been read (for timing/backoff checks)
 */
public record RecordedRequest(
        String method, String path, String query, Map<String, List<String>> headers, String body, Instant receivedAt) {

    // ObjectMapper is thread-safe once configured and is never reconfigured here.
    private static final ObjectMapper MAPPER = new ObjectMapper();

    public RecordedRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(receivedAt, "receivedAt");
        // Normalise names here so lookups never depend on how the client capitalised them.
        Map<String, List<String>> copy = new LinkedHashMap<>();
        headers.forEach((name, values) -> copy.computeIfAbsent(name.toLowerCase(Locale.ROOT), n -> new ArrayList<>())
                .addAll(values));
        copy.replaceAll((name, values) -> List.copyOf(values));
        headers = Collections.unmodifiableMap(copy);
    }

    /** All values of header {@code name} (any case), empty when absent. */
    public List<String> headers(String name) {
        return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
    }

    /** First value of header {@code name} (any case), or {@code null} when absent. */
    public String header(String name) {
        List<String> values = headers(name);
        return values.isEmpty() ? null : values.get(0);
    }

    /** The body parsed as JSON; fails the test (AssertionError) if it is not valid JSON. */
    public JsonNode bodyJson() {
        try {
            return MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw new AssertionError("request body is not JSON: " + body, e);
        }
    }

    /** Path plus {@code ?query} when there was one, as it appeared on the request line. */
    public String pathAndQuery() {
        return query == null ? path : path + "?" + query;
    }
}
