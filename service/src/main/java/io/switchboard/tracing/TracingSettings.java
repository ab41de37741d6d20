package io.switchboard.tracing;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * What tracing is built with (the {@code tracing:} block of config.yml).
 *
 * @param enabled        false: no SDK, no exporter, no spans; a client's trace context is still
 *                       passed on to upstreams unchanged
 * @param endpoint       the OTLP/HTTP collector's base URL; spans go to {@code /v1/traces} under it
 * @param serviceName    {@code service.name} of every span
 * @param sampleRatio    the share of new traces recorded; a client's own sampling decision wins
 * @param headers        extra headers on every export (a collector's API key)
 * @param exportInterval how long finished spans wait before they are sent in a batch
 */
public record TracingSettings(
        boolean enabled,
        URI endpoint,
        String serviceName,
        double sampleRatio,
        Map<String, String> headers,
        Duration exportInterval) {

    public TracingSettings {
        headers = Map.copyOf(headers);
    }

    /** Tracing off. */
    public static TracingSettings off() {
        return new TracingSettings(
                false, URI.create("http://127.0.0.1:4318"), "switchboard", 1.0, Map.of(), Duration.ofSeconds(5));
    }

    /** Where spans are sent: the endpoint with OTLP's {@code /v1/traces} path appended. */
    public String tracesUrl() {
        String base = endpoint.toString();
        return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/v1/traces";
    }

    /** Never prints the headers' values: they are usually a collector's key. */
    @Override
    public String toString() {
        return "TracingSettings[enabled=" + enabled + ", endpoint=" + endpoint + ", serviceName=" + serviceName
                + ", sampleRatio=" + sampleRatio + ", headers=" + headers.keySet() + ", exportInterval="
                + exportInterval + "]";
    }
}
