package io.switchboard.cluster;

import java.time.Duration;
import java.util.Objects;

/**
 * How to reach Redis and what to do when it does not answer.
 *
 * @param uri        {@code redis://} or {@code rediss://} (TLS)
 * @param password   the AUTH password, or null (none, or the URI's)
 * @param timeout    the longest a request waits on Redis
 * @param failOpen   true: fall back to this instance's limits; false: refuse with a 503
 */
public record RedisSettings(String uri, char[] password, Duration timeout, boolean failOpen) {

    public RedisSettings {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(timeout, "timeout");
    }

    @Override
    public String toString() {
        return "RedisSettings[uri=" + redacted(uri) + ", timeout=" + timeout + ", failOpen=" + failOpen + "]";
    }

    /** The URI without its user and password ({@code redis://:secret@host} → {@code redis://host}), for logs. */
    public static String redacted(String uri) {
        return uri.replaceFirst("^([a-z]+://)[^/@]*@", "$1");
    }
}
