package io.switchboard.routing;

/**
 * A response, the target that produced it, and how long the gateway waited on upstreams for it
 * (all attempts), so that its own overhead can be told apart.
 */
public record Served<T>(T value, Target target, long upstreamNanos) {
}
