package io.switchboard.provider.anthropic;

import io.switchboard.provider.ModelInfo;

import java.util.List;
import java.util.Map;

/**
 * One configured Anthropic upstream, as the provider needs it.
 *
 * @param baseUrl          without a trailing slash and without {@code /v1}
 * @param apiKey           null or blank: no key is sent
 * @param headers          extra headers for every request (say {@code anthropic-beta})
 * @param defaultMaxTokens sent as {@code max_tokens} when the client gives no limit
 */
record AnthropicSettings(String name, String baseUrl, String apiKey, AnthropicVersion version, int defaultMaxTokens,
                         Map<String, String> headers, List<ModelInfo> staticModels, boolean discoverModels) {

    AnthropicSettings {
        apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey;
        headers = Map.copyOf(headers);
        staticModels = List.copyOf(staticModels);
    }

    /** Never prints the key: a record's generated toString would. */
    @Override
    public String toString() {
        return "AnthropicSettings[name=" + name + ", baseUrl=" + baseUrl + ", apiKey="
                + (apiKey == null ? "<none>" : "[REDACTED]") + ", version=" + version + ", defaultMaxTokens="
                + defaultMaxTokens + ", headers=" + headers.keySet() + ", models=" + staticModels.size()
                + ", discoverModels=" + discoverModels + "]";
    }
}
