package io.switchboard.routing;

/**
 * A response, the target that produced it, how long the gateway waited on upstreams for it (all
 * attempts), and how many attempts it took.
 */
public record Served<T>(T value, Target target, long upstreamNanos, int attempts) {

    /** The same outcome carrying another value (the response as the client sees it). */
    public <R> Served<R> withValue(R newValue) {
        return new Served<>(newValue, target, upstreamNanos, attempts);
    }
}
