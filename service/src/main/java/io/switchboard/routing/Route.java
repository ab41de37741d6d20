package io.switchboard.routing;

import java.util.List;

/**
 * Where a request may go, in the order to try: the model string the client sent and its
 * candidates. Responses carry {@code requestedModel} back as their {@code model}.
 */
public record Route(String requestedModel, List<Target> targets) {

    public Route {
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("a route needs at least one target");
        }
        targets = List.copyOf(targets);
    }

    public Target first() {
        return targets.get(0);
    }
}
