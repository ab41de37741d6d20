package io.switchboard.usage;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The cost of one request in micro-dollars, or why it is unknown. Unknown is never zero: the
 * ledger records a null cost and a metric counts it, and nobody is billed a guess.
 *
 * <p>The arithmetic, with prices in micro-dollars per million tokens:
 * <pre>
 *   cost = round_half_up( (input × inputPrice + cacheRead × cachedReadPrice
 *                          + (cacheWrite − cacheWrite1h) × cacheWritePrice + cacheWrite1h × cacheWrite1hPrice
 *                          + output × outputPrice) / 1,000,000 )
 * </pre>
 * in {@code long}s, each product and sum overflow-checked; the sum is exact and only the one
 * division rounds, so a request's cost is off by at most half a micro-dollar (5 × 10⁻⁷ USD), and a
 * total over many requests by at most half a micro-dollar per request. A component whose count is
 * 0 needs no price: an embedding model without an output price still has a cost.
 */
public sealed interface Cost {

    /** The micro-dollars, or empty when unknown. */
    OptionalLong micros();

    static Cost of(TokenUsage usage, Optional<ModelPrice> price) {
        return price.map(p -> of(usage, p)).orElseGet(() -> new Unknown(Reason.NO_PRICE, "the model has no price"));
    }

    static Cost of(TokenUsage usage, ModelPrice price) {
        Objects.requireNonNull(usage, "usage");
        if (usage.audioTokens() > 0) {
            return new Unknown(Reason.AUDIO, usage.audioTokens() + " audio tokens, and the table has no audio prices");
        }
        Rates rates = price.ratesFor(usage.totalPromptTokens());
        long[] tokens = {
            usage.inputTokens(),
            usage.cacheReadTokens(),
            usage.cacheWriteTokens() - usage.cacheWrite1hTokens(),
            usage.cacheWrite1hTokens(),
            usage.outputTokens()
        };
        OptionalLong[] prices = {
            rates.input(), rates.cachedRead(), rates.cacheWrite(), rates.cacheWrite1h(), rates.output()
        };
        String[] names = {"input", "cachedRead", "cacheWrite", "cacheWrite1h", "output"};
        long total = 0;
        try {
            for (int i = 0; i < tokens.length; i++) {
                if (tokens[i] == 0) {
                    continue;
                }
                if (prices[i].isEmpty()) {
                    return new Unknown(
                            Reason.MISSING_PRICE,
                            price.id() + " has no " + names[i] + " price"
                                    + (rates != price.rates() ? " above its long-context threshold" : ""));
                }
                total = Math.addExact(total, Math.multiplyExact(tokens[i], prices[i].getAsLong()));
            }
            return new Known(roundHalfUp(total));
        } catch (ArithmeticException overflow) {
            return new Unknown(Reason.OVERFLOW, "token counts too large to price: " + usage);
        }
    }

    /** {@code value / 1,000,000} rounded half up, for a non-negative value. */
    private static long roundHalfUp(long millionths) {
        return Math.addExact(millionths, Micros.PER_UNIT / 2) / Micros.PER_UNIT;
    }

    /** A cost that is known exactly. */
    record Known(long value) implements Cost {

        public Known {
            if (value < 0) {
                throw new IllegalArgumentException("a cost cannot be negative: " + value);
            }
        }

        @Override
        public OptionalLong micros() {
            return OptionalLong.of(value);
        }
    }

    /** A cost nobody can know from what was reported; {@code detail} says why, for a log line. */
    record Unknown(Reason reason, String detail) implements Cost {

        @Override
        public OptionalLong micros() {
            return OptionalLong.empty();
        }
    }

    /** Why a cost is unknown: a bounded set, fit for a metric label. */
    enum Reason {
        /** No price for the model, in the table or in config. */
        NO_PRICE,
        /** The model has prices, but not for a kind of token the usage has (e.g. cache writes). */
        MISSING_PRICE,
        /** The usage has audio tokens, which vendors price apart and the table does not carry. */
        AUDIO,
        /** The counts are too large for exact arithmetic in a long (a broken or hostile upstream). */
        OVERFLOW
    }
}
