package io.switchboard.usage;

import java.util.Optional;

/**
 * What a request will cost at most, roughly, before it is sent: the amount a budget reserves.
 *
 * <p>Prompt tokens are estimated from the text, in one pass and without a tokenizer: every four
 * ASCII characters count as one token (rounded up) and every other character (code point) as a
 * whole token, plus {@link #TOKENS_PER_MESSAGE} per message for the chat format's framing.
 * English runs about four characters a token, so ASCII text comes out near the truth; Chinese,
 * Japanese or Korean text, where one character is often a token, is not under-counted four times
 * as a plain "characters / 4" would. Images, audio and files are not counted (their tokens depend
 * on the provider); their cost shows in the overshoot bound, not in the estimate.
 *
 * <p>Output tokens are the request's own cap ({@code max_completion_tokens}, else
 * {@code max_tokens}), else {@code pricing.defaultOutputTokens}: the most it can produce, reasoning
 * included, so the output part of the estimate is an upper bound when the client sets a cap.
 *
 * <p>The estimate is those tokens at the model's plain input and output prices (the long-context
 * rates when the estimated prompt is above the threshold); a model with no price, or whose price
 * lacks one of the two, is estimated at 0, and its reservation still counts the request.
 */
public final class CostEstimator {

    /** The default of {@code pricing.defaultOutputTokens}. */
    public static final int DEFAULT_OUTPUT_TOKENS = 4096;

    /** Tokens the chat format adds around each message (role and separators); OpenAI's is 3–4. */
    public static final int TOKENS_PER_MESSAGE = 4;

    private final long defaultOutputTokens;

    public CostEstimator(long defaultOutputTokens) {
        if (defaultOutputTokens < 1) {
            throw new IllegalArgumentException("the default output cap must be at least 1 token");
        }
        this.defaultOutputTokens = defaultOutputTokens;
    }

    /** Tokens in a text, estimated as described above. */
    public static long promptTokens(CharSequence text) {
        if (text == null) {
            return 0;
        }
        long ascii = 0;
        long other = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                ascii++;
            } else if (!Character.isLowSurrogate(c)) {
                other++; // a surrogate pair is one code point: count its high half only
            }
        }
        return (ascii + 3) / 4 + other;
    }

    /** Tokens of a chat request's messages, given each message's text. */
    public static long promptTokens(Iterable<? extends CharSequence> messageTexts) {
        long tokens = 0;
        for (CharSequence text : messageTexts) {
            tokens = Math.addExact(tokens, Math.addExact(promptTokens(text), TOKENS_PER_MESSAGE));
        }
        return tokens;
    }

    /**
     * The output cap the estimate assumes.
     *
     * @param maxCompletionTokens the request's {@code max_completion_tokens}, or null
     * @param maxTokens           the request's {@code max_tokens}, or null
     */
    public long outputTokens(Integer maxCompletionTokens, Integer maxTokens) {
        Integer cap = maxCompletionTokens != null ? maxCompletionTokens : maxTokens;
        return cap != null && cap > 0 ? cap : defaultOutputTokens;
    }

    /**
     * The micro-dollars to reserve, rounded up: 0 when the price is unknown or incomplete, and at
     * most {@link Budget#MAX_LIMIT_MICROS} (a request that could cost more than any budget simply
     * needs all of it; this also keeps a hostile {@code max_tokens} from overflowing).
     */
    public long estimateMicros(long promptTokens, long outputTokens, Optional<ModelPrice> price) {
        if (price.isEmpty()) {
            return 0;
        }
        long prompt = Math.max(0, promptTokens);
        long output = Math.max(0, outputTokens);
        Rates rates = price.get().ratesFor(prompt);
        if (rates.input().isEmpty() || (output > 0 && rates.output().isEmpty())) {
            return 0;
        }
        try {
            long millionths = Math.addExact(
                    Math.multiplyExact(prompt, rates.input().getAsLong()),
                    output == 0 ? 0 : Math.multiplyExact(output, rates.output().getAsLong()));
            return Math.min(Budget.MAX_LIMIT_MICROS, Math.addExact(millionths, Micros.PER_UNIT - 1) / Micros.PER_UNIT);
        } catch (ArithmeticException overflow) {
            return Budget.MAX_LIMIT_MICROS;
        }
    }
}
