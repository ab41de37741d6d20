package io.switchboard.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MaxDuration;
import io.dropwizard.validation.MinDuration;
import io.dropwizard.validation.ValidationMethod;
import io.switchboard.tracing.Tracing;
import io.switchboard.tracing.TracingSettings;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The {@code tracing:} block: OpenTelemetry traces sent over OTLP/HTTP (protobuf), off by default.
 *
 * <pre>
 * tracing:
 *   enabled: ${SWITCHBOARD_TRACING:-false}
 *   endpoint: ${OTEL_EXPORTER_OTLP_ENDPOINT:-http://127.0.0.1:4318}
 *   serviceName: ${OTEL_SERVICE_NAME:-switchboard}
 *   sampleRatio: 1.0
 *   headers: {}
 * </pre>
 *
 * The endpoint is the collector's base URL, as {@code OTEL_EXPORTER_OTLP_ENDPOINT} is: spans go to
 * {@code /v1/traces} under it. A header whose value is blank (an unset variable) is not sent.
 */
public class TracingConfiguration {

    @JsonProperty
    private boolean enabled = false;

    @NotBlank
    @JsonProperty
    private String endpoint = "http://127.0.0.1:4318";

    @NotBlank
    @JsonProperty
    private String serviceName = "switchboard";

    /** The share of new traces recorded, 0 to 1; a client's {@code traceparent} sampled flag wins. */
    @DecimalMin("0.0")
    @DecimalMax("1.0")
    @JsonProperty
    private double sampleRatio = 1.0;

    @NotNull
    @JsonProperty
    private Map<String, String> headers = Map.of();

    /** How long finished spans wait before they go in one batch. */
    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.MILLISECONDS)
    @MaxDuration(value = 1, unit = TimeUnit.MINUTES)
    @JsonProperty
    private Duration exportInterval = Duration.seconds(5);

    public boolean enabled() {
        return enabled;
    }

    @ValidationMethod(
            message = "tracing.endpoint must be an http:// or https:// URL with a host, e.g. http://127.0.0.1:4318")
    public boolean isEndpointHttp() {
        return endpoint == null || parsed(endpoint) != null;
    }

    @ValidationMethod(message = "tracing.headers must have non-blank names")
    public boolean isEveryHeaderNamed() {
        return headers == null || headers.keySet().stream().allMatch(name -> name != null && !name.isBlank());
    }

    public TracingSettings settings() {
        var sent = new LinkedHashMap<String, String>();
        headers.forEach((name, value) -> {
            if (value != null && !value.isBlank()) {
                sent.put(name, value);
            }
        });
        return new TracingSettings(
                enabled, parsed(endpoint), serviceName, sampleRatio, sent, exportInterval.toJavaDuration());
    }

    /** Tracing as configured; the caller manages its lifecycle (stopping it sends what is queued). */
    public Tracing build() {
        return Tracing.of(settings());
    }

    private static URI parsed(String text) {
        try {
            var uri = new URI(text.trim());
            boolean http = "http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme());
            return http && uri.getHost() != null && uri.getQuery() == null ? uri : null;
        } catch (URISyntaxException e) {
            return null;
        }
    }
}
