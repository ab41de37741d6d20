package io.switchboard.store;

import java.util.Locale;

/** How often a virtual key's budget starts again; stored as its lower-case name. */
public enum BudgetPeriod {
    DAILY,
    WEEKLY,
    MONTHLY,
    TOTAL;

    /** The stored (and configured) spelling: {@code daily}, {@code weekly}, {@code monthly}, {@code total}. */
    public String dbValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The period a stored or user-supplied spelling names, in any case. */
    public static BudgetPeriod of(String value) {
        for (BudgetPeriod period : values()) {
            if (period.name().equalsIgnoreCase(value)) {
                return period;
            }
        }
        throw new IllegalArgumentException("budget period must be daily, weekly, monthly or total");
    }
}
