package io.switchboard.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.switchboard.auth.KeyDirectory;
import io.switchboard.auth.RateLimiter;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import java.util.Map;

/** {@code gateway.rateLimit}: requests per minute per gateway API key, kept in memory. */
public class RateLimitConfiguration {

    /** For every key without an override; 0 turns the limit off. */
    @Min(0)
    @JsonProperty
    private int requestsPerMinute = 0;

    /** Key id (first 12 hex digits of the key's SHA-256) → requests per minute; 0 = unlimited. */
    @NotNull
    @JsonProperty
    private Map<String, Integer> perKey = Map.of();

    public int requestsPerMinute() {
        return requestsPerMinute;
    }

    public Map<String, Integer> perKey() {
        return perKey;
    }

    public RateLimiter build() {
        return build(KeyDirectory.NONE);
    }

    /** @param directory virtual keys, whose own limits win over the default */
    public RateLimiter build(KeyDirectory directory) {
        return new RateLimiter(requestsPerMinute, perKey, directory, System::nanoTime);
    }
}
