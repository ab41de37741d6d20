package io.switchboard.routing;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The value of one alias in {@code gateway.aliases}: one target, an ordered list of fallbacks,
 * or a load-balanced group.
 *
 * <pre>
 * fast: groq/llama-3.3-70b-versatile            # one target
 * smart: [anthropic/claude-sonnet-4-5, openai/gpt-4o]   # ordered fallbacks
 * balanced: {strategy: least-busy, targets: [{model: a/x, weight: 3}, {model: b/y}]}
 * </pre>
 */
public record RouteGroup(Strategy strategy, List<WeightedTarget> targets) {

    private static final Set<String> GROUP_KEYS = Set.of("strategy", "targets");
    private static final Set<String> TARGET_KEYS = Set.of("model", "weight");

    public RouteGroup {
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("an alias needs at least one target");
        }
        targets = List.copyOf(targets);
    }

    public static RouteGroup single(String model) {
        return new RouteGroup(Strategy.FALLBACK, List.of(new WeightedTarget(model, 1)));
    }

    /** Reads the three YAML forms strictly: an unknown key is an error that names it. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static RouteGroup fromJson(JsonNode node) {
        if (node.isTextual()) {
            return single(node.textValue());
        }
        if (node.isArray()) {
            return new RouteGroup(Strategy.FALLBACK, targets(node));
        }
        if (node.isObject()) {
            node.fieldNames().forEachRemaining(key -> {
                if (!GROUP_KEYS.contains(key)) {
                    throw new IllegalArgumentException(
                            "Unknown key '" + key + "' in an alias group: use strategy, targets");
                }
            });
            JsonNode targets = node.get("targets");
            if (targets == null || !targets.isArray()) {
                throw new IllegalArgumentException("An alias group needs a 'targets' list");
            }
            Strategy strategy = node.hasNonNull("strategy")
                    ? Strategy.of(node.get("strategy").asText())
                    : Strategy.WEIGHTED;
            return new RouteGroup(strategy, targets(targets));
        }
        throw new IllegalArgumentException("An alias is a model id, a list of model ids, or a group with targets");
    }

    private static List<WeightedTarget> targets(JsonNode array) {
        var targets = new ArrayList<WeightedTarget>();
        for (JsonNode item : array) {
            if (item.isTextual()) {
                targets.add(new WeightedTarget(item.textValue(), 1));
            } else if (item.isObject()) {
                item.fieldNames().forEachRemaining(key -> {
                    if (!TARGET_KEYS.contains(key)) {
                        throw new IllegalArgumentException(
                                "Unknown key '" + key + "' in an alias target: use model, weight");
                    }
                });
                if (item.has("weight") && !item.get("weight").canConvertToInt()) {
                    throw new IllegalArgumentException("weight must be a whole number");
                }
                targets.add(new WeightedTarget(
                        item.path("model").asText(null), item.path("weight").asInt(1)));
            } else {
                throw new IllegalArgumentException("An alias target is a model id or {model, weight}");
            }
        }
        return targets;
    }
}
