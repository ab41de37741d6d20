package io.switchboard.usage;

import java.util.OptionalLong;

/**
 * One set of prices, each in micro-dollars per million tokens; an empty one is unknown (never
 * zero). {@code cacheWrite} is Anthropic's 5-minute cache write; {@code cacheWrite1h} its 1-hour
 * write, which costs more. OpenAI and Gemini bill no cache writes, so theirs are empty and only
 * matter if a usage ever reports writes.
 */
public record Rates(
        OptionalLong input,
        OptionalLong output,
        OptionalLong cachedRead,
        OptionalLong cacheWrite,
        OptionalLong cacheWrite1h) {

    public static final Rates FREE = new Rates(
            OptionalLong.of(0), OptionalLong.of(0), OptionalLong.of(0), OptionalLong.of(0), OptionalLong.of(0));

    public static final Rates UNKNOWN = new Rates(
            OptionalLong.empty(),
            OptionalLong.empty(),
            OptionalLong.empty(),
            OptionalLong.empty(),
            OptionalLong.empty());

    public Rates {
        check(input, "input");
        check(output, "output");
        check(cachedRead, "cachedRead");
        check(cacheWrite, "cacheWrite");
        check(cacheWrite1h, "cacheWrite1h");
    }

    /** Input and output only, no cache prices: an embedding model, or a model without caching. */
    public static Rates of(long input, long output) {
        return new Rates(
                OptionalLong.of(input),
                OptionalLong.of(output),
                OptionalLong.empty(),
                OptionalLong.empty(),
                OptionalLong.empty());
    }

    public Rates withCachedRead(long price) {
        return new Rates(input, output, OptionalLong.of(price), cacheWrite, cacheWrite1h);
    }

    public Rates withCacheWrites(long fiveMinutes, long oneHour) {
        return new Rates(input, output, cachedRead, OptionalLong.of(fiveMinutes), OptionalLong.of(oneHour));
    }

    private static void check(OptionalLong price, String name) {
        if (price == null) {
            throw new NullPointerException(name + " is null; an unknown price is OptionalLong.empty()");
        }
        if (price.isPresent() && price.getAsLong() < 0) {
            throw new IllegalArgumentException(name + " price is negative: " + price.getAsLong());
        }
    }
}
