package io.switchboard.routing;

/**
 * A response, the target that produced it, how long the gateway waited on upstreams for it (all
 * attempts), and how many attempts it took.
 */
public record Served<T>(T value, Target target, long upstreamNanos, int attempts) {
}
