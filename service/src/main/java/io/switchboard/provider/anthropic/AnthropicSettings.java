package io.switchboard.provider.anthropic;

import io.switchboard.provider.ModelInfo;
import io.switchboard.provider.http.UpstreamSettings;

import java.util.List;
import java.util.Map;

/**
 * One configured Anthropic upstream, as the provider needs it.
 *
 * @param upstream         base URL without {@code /v1}; headers may carry {@code anthropic-beta}
 * @param defaultMaxTokens sent as {@code max_tokens} when the client gives no limit
 */
record AnthropicSettings(UpstreamSettings upstream, AnthropicVersion version, int defaultMaxTokens) {

    String name() {
        return upstream.name();
    }

    String baseUrl() {
        return upstream.baseUrl();
    }

    String apiKey() {
        return upstream.apiKey();
    }

    Map<String, String> headers() {
        return upstream.headers();
    }

    List<ModelInfo> staticModels() {
        return upstream.staticModels();
    }

    boolean discoverModels() {
        return upstream.discoverModels();
    }
}
