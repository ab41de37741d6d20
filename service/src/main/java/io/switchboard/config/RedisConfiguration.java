package io.switchboard.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MaxDuration;
import io.dropwizard.validation.MinDuration;
import io.dropwizard.validation.ValidationMethod;
import io.switchboard.cluster.RedisSettings;
import jakarta.validation.constraints.NotNull;

import java.net.URI;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * {@code cluster.redis}: where the shared limits live. An empty {@code uri} (the default) keeps
 * every limit per instance.
 */
public class RedisConfiguration {

    /** What a request meets when Redis does not answer in time. */
    public enum FailurePolicy {
        /** Fall back to this instance's own limits (the default): the gateway keeps serving. */
        OPEN,
        /** Refuse with a 503 in OpenAI's shape until Redis answers again. */
        CLOSED;

        @JsonCreator
        public static FailurePolicy parse(String text) {
            for (FailurePolicy policy : values()) {
                if (policy.label().equalsIgnoreCase(text == null ? "" : text.strip())) {
                    return policy;
                }
            }
            throw new IllegalArgumentException("cluster.redis.failurePolicy must be open or closed");
        }

        @JsonValue
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** {@code redis://host:6379/0}, {@code rediss://} for TLS; empty: no shared limits. */
    @JsonProperty
    private String uri = "";

    /** The password (AUTH); empty: none, or the one in the URI. Read from the environment, never written in the file. */
    @JsonProperty
    private String password = "";

    /** The longest a request waits on Redis; past it the failure policy applies. */
    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.MILLISECONDS)
    @MaxDuration(value = 10, unit = TimeUnit.SECONDS)
    @JsonProperty
    private Duration timeout = Duration.milliseconds(50);

    @NotNull
    @JsonProperty
    private FailurePolicy failurePolicy = FailurePolicy.OPEN;

    public String uri() {
        return uri == null ? "" : uri.strip();
    }

    public boolean configured() {
        return !uri().isEmpty();
    }

    public Duration timeout() {
        return timeout;
    }

    public FailurePolicy failurePolicy() {
        return failurePolicy;
    }

    public RedisSettings settings() {
        return new RedisSettings(
                uri(),
                password == null || password.isEmpty() ? null : password.toCharArray(),
                timeout.toJavaDuration(),
                failurePolicy == FailurePolicy.OPEN);
    }

    @JsonIgnore
    @ValidationMethod(message = "cluster.redis.uri must start with redis:// or rediss:// and name a host")
    public boolean isUriUsable() {
        if (!configured()) {
            return true;
        }
        try {
            URI parsed = URI.create(uri());
            return ("redis".equals(parsed.getScheme()) || "rediss".equals(parsed.getScheme()))
                    && parsed.getHost() != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return "RedisConfiguration[uri=" + RedisSettings.redacted(uri()) + ", timeout=" + timeout + ", failurePolicy="
                + failurePolicy + "]";
    }
}
