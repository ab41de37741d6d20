package io.switchboard.usage;

import java.util.Objects;

/**
 * A key's spending limit: {@code limitMicros} micro-dollars per {@code period}.
 *
 * @param limitMicros what may be spent in one window; 0 refuses every request
 */
public record Budget(long limitMicros, BudgetPeriod period) {

    /** One million dollars a window: far above any real budget, far below overflow. */
    public static final long MAX_LIMIT_MICROS = 1_000_000L * Micros.PER_UNIT;

    public Budget {
        Objects.requireNonNull(period, "period");
        if (limitMicros < 0 || limitMicros > MAX_LIMIT_MICROS) {
            throw new IllegalArgumentException("a budget must be between $0 and " + Micros.format(MAX_LIMIT_MICROS)
                    + ", not " + Micros.format(limitMicros));
        }
    }

    /** For messages: {@code $50.00 per month}, {@code $5.00 in total}. */
    public String describe() {
        return Micros.format(limitMicros)
                + switch (period) {
                    case DAILY -> " per day";
                    case WEEKLY -> " per week";
                    case MONTHLY -> " per month";
                    case TOTAL -> " in total";
                };
    }
}
