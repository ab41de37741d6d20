package io.switchboard.routing;

import java.util.List;

/**
 * Where a request may go: the model string the client sent, its candidates, and how to order
 * them. Responses carry {@code requestedModel} back as their {@code model}.
 */
public record Route(String requestedModel, List<Target> targets, Strategy strategy) {

    public Route {
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("a route needs at least one target");
        }
        targets = List.copyOf(targets);
    }

    public Route(String requestedModel, List<Target> targets) {
        this(requestedModel, targets, Strategy.FALLBACK);
    }

    public Target first() {
        return targets.get(0);
    }
}
