package io.switchboard.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * One entry of {@code GET /v1/providers}: what an operator needs to see, never a key.
 * {@code status} is one of up, down, unknown, disabled.
 */
public record ProviderView(
        String name,
        String type,
        @JsonProperty("base_url") String baseUrl,
        String status,
        @JsonInclude(JsonInclude.Include.ALWAYS) String error,
        @JsonProperty("model_count") int modelCount,
        List<String> models,
        @JsonProperty("discovery_latency_ms") Long discoveryLatencyMs,
        @JsonProperty("checked_at") Long checkedAt) {}
