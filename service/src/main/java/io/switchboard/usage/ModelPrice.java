package io.switchboard.usage;

import java.util.Objects;
import java.util.Optional;

/**
 * What one model costs. Some models cost more per token when the prompt is long (Gemini 2.5 Pro
 * above 200,000 tokens, Claude Sonnet 4 and 4.5 above 200,000); then every token of that request,
 * output included, is billed at the long-context rates. The threshold counts the whole prompt:
 * uncached input, cache reads and cache writes, which is how both vendors count it.
 *
 * @param id          the table key or override key this price came from, for logs and the ledger
 * @param source      the key of the table's {@code sources} entry (or {@code config} for an override)
 * @param rates       the prices up to the threshold, or for every request when there is none
 * @param longContext the prices above the threshold; rates in it may be unknown, which makes the
 *                    cost of such a long request unknown rather than priced at the short rate
 */
public record ModelPrice(String id, String source, Rates rates, Optional<LongContext> longContext) {

    public ModelPrice {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(rates, "rates");
        Objects.requireNonNull(longContext, "longContext");
    }

    public static ModelPrice flat(String id, String source, Rates rates) {
        return new ModelPrice(id, source, rates, Optional.empty());
    }

    /** The rates that apply to a request whose whole prompt is {@code promptTokens} tokens. */
    public Rates ratesFor(long promptTokens) {
        return longContext
                .filter(tier -> promptTokens > tier.above())
                .map(LongContext::rates)
                .orElse(rates);
    }

    /**
     * @param above a prompt of more than this many tokens is billed at {@code rates}
     */
    public record LongContext(long above, Rates rates) {

        public LongContext {
            if (above <= 0) {
                throw new IllegalArgumentException("a long-context threshold must be positive: " + above);
            }
            Objects.requireNonNull(rates, "rates");
        }
    }
}
