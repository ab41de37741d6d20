package io.switchboard.provider.http;

import io.switchboard.provider.ModelInfo;

import java.util.List;
import java.util.Map;

/**
 * What a configured HTTP provider knows of its upstream, as its adapter needs it.
 *
 * @param baseUrl        without a trailing slash
 * @param apiKey         null or blank: no key is sent
 * @param headers        extra headers for every request
 * @param staticModels   models named in config, known even while the upstream is away
 * @param discoverModels whether to ask the upstream for its models too
 */
public record UpstreamSettings(
        String name,
        String baseUrl,
        String apiKey,
        Map<String, String> headers,
        List<ModelInfo> staticModels,
        boolean discoverModels) {

    public UpstreamSettings {
        apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey;
        headers = Map.copyOf(headers);
        staticModels = List.copyOf(staticModels);
    }

    /** Never prints the key: a record's generated toString would. */
    @Override
    public String toString() {
        return "UpstreamSettings[name=" + name + ", baseUrl=" + baseUrl + ", apiKey="
                + (apiKey == null ? "<none>" : "[REDACTED]") + ", headers=" + headers.keySet() + ", models="
                + staticModels.size() + ", discoverModels=" + discoverModels + "]";
    }
}
