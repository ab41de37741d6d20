package io.switchboard.routing;

/** One target of an alias: a {@code provider/model} id and its weight (for the weighted strategy). */
public record WeightedTarget(String model, int weight) {

    public WeightedTarget {
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("a target needs a model");
        }
        if (weight < 1) {
            throw new IllegalArgumentException("weight must be at least 1, got " + weight + " for " + model);
        }
    }
}
