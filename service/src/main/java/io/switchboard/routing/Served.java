package io.switchboard.routing;

/** A response and the target that produced it. */
public record Served<T>(T value, Target target) {
}
