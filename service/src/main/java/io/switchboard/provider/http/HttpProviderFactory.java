package io.switchboard.provider.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.DataSize;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MinDataSize;
import io.dropwizard.validation.MinDuration;
import io.switchboard.provider.HttpClientSettings;
import io.switchboard.provider.ProviderContext;
import io.switchboard.provider.ProviderFactory;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The keys every provider over HTTP shares: its name, its key, extra headers, and its connection
 * pool and timeouts. A type adds where it sends requests and whatever else it needs.
 */
public abstract class HttpProviderFactory implements ProviderFactory {

    @NotEmpty
    @Pattern(regexp = "[A-Za-z0-9][A-Za-z0-9._-]*", message = "must be letters, digits, '.', '_' or '-' (no '/')")
    @JsonProperty
    private String name;

    @JsonProperty
    private String apiKey;

    /** When true (the default), an empty apiKey disables the entry instead of sending no key. */
    @JsonProperty
    private boolean apiKeyRequired = true;

    @NotNull
    @JsonProperty
    private Map<String, String> headers = Map.of();

    /** Unset: the gateway's {@code gateway.connectTimeout}. */
    @MinDuration(value = 1, unit = TimeUnit.MILLISECONDS)
    @JsonProperty
    private Duration connectTimeout;

    /** Unset: the gateway's {@code gateway.readTimeout}. */
    @MinDuration(value = 1, unit = TimeUnit.MILLISECONDS)
    @JsonProperty
    private Duration readTimeout;

    @NotNull
    @JsonProperty
    private Duration idleConnectionTimeout = Duration.seconds(60);

    @Min(1)
    @JsonProperty
    private int maxConnections = 1024;

    @Min(0)
    @JsonProperty
    private int maxQueuedRequests = 4096;

    @NotNull
    @MinDataSize(1)
    @JsonProperty
    private DataSize maxResponseSize = DataSize.mebibytes(64);

    protected HttpProviderFactory() {}

    /** For entries made in code rather than read from config.yml (local runtimes need no key). */
    protected HttpProviderFactory(String name, boolean apiKeyRequired) {
        this.name = name;
        this.apiKeyRequired = apiKeyRequired;
    }

    @Override
    public String name() {
        return name;
    }

    /** The key, or null when none is set. */
    protected String apiKey() {
        return apiKey == null || apiKey.isBlank() ? null : apiKey;
    }

    protected Map<String, String> headers() {
        return headers;
    }

    /**
     * Why the entry is off, and how to turn it on. {@code apiKey: ${VAR}} (no default) stays as
     * that text when VAR is unset, so the variable can be named; never send that text as a key.
     * {@code ${VAR:-}} leaves only an empty value, and with it no name to give.
     */
    @Override
    public Optional<String> disabledReason() {
        if (apiKey != null && apiKey.contains("${")) {
            return Optional.of(unsetVariable(apiKey)
                    .map(variable -> "apiKey is read from " + variable + ", which is not set; set " + variable
                            + " to enable this provider")
                    .orElse("apiKey names an environment variable that is not set; set it to enable this provider"));
        }
        if (apiKeyRequired && (apiKey == null || apiKey.isBlank())) {
            return Optional.of("apiKey is empty; set the environment variable the configuration reads it from"
                    + " to enable this provider");
        }
        return Optional.empty();
    }

    /** {@code VAR} from text holding {@code ${VAR}} (or {@code ${VAR:-default}}), if it is there whole. */
    private static Optional<String> unsetVariable(String text) {
        int start = text.indexOf("${") + 2;
        int end = text.indexOf('}', start);
        if (end < 0) {
            return Optional.empty();
        }
        String variable = text.substring(start, end);
        int defaultAt = variable.indexOf(":-");
        variable = (defaultAt >= 0 ? variable.substring(0, defaultAt) : variable).strip();
        return variable.isEmpty() ? Optional.empty() : Optional.of(variable);
    }

    /** A pooled client for this provider and the JSON transport over it. */
    protected JsonHttpTransport transport(ProviderContext context, UpstreamErrorParser errors) {
        var connect = connectTimeout != null
                ? connectTimeout.toJavaDuration()
                : context.timeouts().connect();
        var read = readTimeout != null
                ? readTimeout.toJavaDuration()
                : context.timeouts().read();
        var client = context.http()
                .newClient(new HttpClientSettings(
                        connect, idleConnectionTimeout.toJavaDuration(), maxConnections, maxQueuedRequests));
        return new JsonHttpTransport(name, client, context.mapper(), read, errors, (int)
                Math.min(Integer.MAX_VALUE, maxResponseSize.toBytes()));
    }

    /** A base URL without its trailing slash, so paths can be appended with one. */
    public static String stripTrailingSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** What toString adds after name, URL and the (redacted) key: the type's own settings. */
    protected String describeSettings() {
        return "";
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[name=" + name + ", url=" + baseUrl()
                + ", apiKey=" + (apiKey == null || apiKey.isEmpty() ? "<none>" : "[REDACTED]")
                + ", headers=" + headers.keySet() + describeSettings() + "]";
    }
}
