package io.switchboard.routing;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How the candidates of a route are ordered for each request. */
public enum Strategy {
    /** In the order given: the first is preferred, the rest are fallbacks. */
    FALLBACK("fallback"),
    /** A random order drawn by weight: a target of weight 3 leads three times as often as one of weight 1. */
    WEIGHTED("weighted"),
    /** Fewest calls in flight first. */
    LEAST_BUSY("least-busy"),
    /** Lowest recent latency first (an exponentially weighted average; unmeasured targets first). */
    LOWEST_LATENCY("lowest-latency");

    private final String word;

    Strategy(String word) {
        this.word = word;
    }

    @JsonValue
    public String word() {
        return word;
    }

    @JsonCreator
    public static Strategy of(String word) {
        for (Strategy strategy : values()) {
            if (strategy.word.equals(word.toLowerCase(Locale.ROOT))) {
                return strategy;
            }
        }
        throw new IllegalArgumentException("Unknown strategy '" + word + "': use one of "
                + Arrays.stream(values()).map(Strategy::word).collect(Collectors.joining(", ")));
    }
}
