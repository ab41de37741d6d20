package io.switchboard.usage;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;
import java.util.Locale;
import java.util.Optional;

/**
 * How long a budget lasts before its spend starts again from zero. Windows are in UTC, whatever
 * the server's zone, so every instance and the database agree on them: a day starts at 00:00 UTC,
 * a week on Monday 00:00 UTC (ISO-8601 weeks), a month on its first day at 00:00 UTC. A
 * {@code TOTAL} budget never resets: its one window starts at the epoch.
 */
public enum BudgetPeriod {
    DAILY,
    WEEKLY,
    MONTHLY,
    TOTAL;

    /** The start of the window {@code now} falls in (inclusive). */
    public Instant windowStart(Instant now) {
        LocalDate day = LocalDate.ofInstant(now, ZoneOffset.UTC);
        LocalDate start = switch (this) {
            case DAILY -> day;
            case WEEKLY -> day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
            case MONTHLY -> day.withDayOfMonth(1);
            case TOTAL -> LocalDate.EPOCH;
        };
        return start.atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    /** When the window {@code now} falls in ends and spend starts again from zero; none for TOTAL. */
    public Optional<Instant> nextReset(Instant now) {
        LocalDate start = LocalDate.ofInstant(windowStart(now), ZoneOffset.UTC);
        return Optional.ofNullable(
                        switch (this) {
                            case DAILY -> start.plusDays(1);
                            case WEEKLY -> start.plusWeeks(1);
                            case MONTHLY -> start.plusMonths(1);
                            case TOTAL -> null;
                        })
                .map(next -> next.atStartOfDay(ZoneOffset.UTC).toInstant());
    }

    /** As written in config, the CLI and the admin API: {@code daily}, {@code weekly}, … */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The period a label names, ignoring case; refused with the accepted labels otherwise. */
    public static BudgetPeriod parse(String label) {
        for (BudgetPeriod period : values()) {
            if (period.label().equalsIgnoreCase(label == null ? "" : label.strip())) {
                return period;
            }
        }
        throw new IllegalArgumentException("budget period must be daily, weekly, monthly or total");
    }
}
