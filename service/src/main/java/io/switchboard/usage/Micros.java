package io.switchboard.usage;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Money as a {@code long} of micro-dollars (1 USD = 1,000,000). Prices are micro-dollars per
 * million tokens, so a price string of {@code "2.50"} is {@code 2_500_000}: a whole number for any
 * price quoted to six decimals, which every vendor's page is. Nothing here goes through a double.
 */
public final class Micros {

    /** Micro-dollars in one dollar, and tokens in the "million tokens" prices are quoted per. */
    public static final long PER_UNIT = 1_000_000L;

    /**
     * The largest price accepted: 10,000 USD per million tokens, 50 times the dearest price any
     * vendor lists today. Its purpose is to refuse typos (a price in micro-dollars typed as dollars)
     * and to keep {@code tokens × price} far from overflow for any real request.
     */
    public static final BigDecimal MAX_PRICE_USD = BigDecimal.valueOf(10_000);

    private static final int MAX_DECIMALS = 6;

    private Micros() {}

    /**
     * A price in USD per million tokens, as written in the table or in config.yml, as micro-dollars
     * per million tokens. Refused: negative, above {@link #MAX_PRICE_USD}, more than six decimals
     * (which would not be a whole number of micro-dollars), or not a plain decimal.
     *
     * @param what names the price in the message of a refusal, e.g. {@code "openai/gpt-4o input"}
     */
    public static long parsePrice(String text, String what) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException(what + ": a price is required");
        }
        if (text.length() > 32 || !text.matches("[0-9]+(\\.[0-9]+)?")) {
            throw new IllegalArgumentException(what + ": '" + shorten(text)
                    + "' is not a price in USD per million tokens (digits, an optional point and decimals)");
        }
        return parsePrice(new BigDecimal(text), what);
    }

    /** As {@link #parsePrice(String, String)}, for a number that is already a BigDecimal (config.yml). */
    public static long parsePrice(BigDecimal usd, String what) {
        if (usd.signum() < 0) {
            throw new IllegalArgumentException(what + ": a price cannot be negative (" + usd.toPlainString() + ")");
        }
        if (usd.compareTo(MAX_PRICE_USD) > 0) {
            throw new IllegalArgumentException(what + ": " + usd.toPlainString()
                    + " USD per million tokens is above the limit of " + MAX_PRICE_USD.toPlainString());
        }
        BigDecimal stripped = usd.stripTrailingZeros();
        if (stripped.scale() > MAX_DECIMALS) {
            throw new IllegalArgumentException(what + ": " + usd.toPlainString()
                    + " has more than 6 decimals; prices are kept to the micro-dollar per million tokens");
        }
        return usd.movePointRight(MAX_DECIMALS).longValueExact();
    }

    /** The USD amount a number of micro-dollars is, exactly: {@code 1_250_000} is {@code 1.25}. */
    public static BigDecimal toUsd(long micros) {
        return BigDecimal.valueOf(micros, MAX_DECIMALS).stripTrailingZeros();
    }

    /**
     * For messages: {@code $50.00}, {@code $0.000125}; at least two decimals, never a rounded value
     * (a budget message that rounds $49.999 up to $50.00 would contradict itself).
     */
    public static String format(long micros) {
        BigDecimal usd = toUsd(micros);
        if (usd.scale() < 2) {
            usd = usd.setScale(2, RoundingMode.UNNECESSARY);
        }
        return (micros < 0 ? "-$" + usd.negate().toPlainString() : "$" + usd.toPlainString());
    }

    private static String shorten(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "…";
    }
}
