package io.switchboard.usage;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Windows in UTC: days, ISO weeks from Monday, calendar months, and the total that never resets. */
class BudgetPeriodTest {

    @ParameterizedTest(name = "{0} {1} → [{2}, {3})")
    @CsvSource({
        "DAILY,   2026-12-03T08:57:51Z,        2026-12-03T00:00:00Z, 2026-12-04T00:00:00Z",
        "DAILY,   2026-12-31T23:59:59.999Z,    2026-12-31T00:00:00Z, 2027-01-01T00:00:00Z",
        "DAILY,   2028-02-28T12:00:00Z,        2028-02-28T00:00:00Z, 2028-02-29T00:00:00Z",
        "WEEKLY,  2026-12-03T08:00:00Z,        2026-11-30T00:00:00Z, 2026-12-07T00:00:00Z",
        "WEEKLY,  2026-12-06T23:59:59.999Z,    2026-11-30T00:00:00Z, 2026-12-07T00:00:00Z",
        "WEEKLY,  2026-12-07T00:00:00Z,        2026-12-07T00:00:00Z, 2026-12-14T00:00:00Z",
        "WEEKLY,  2027-01-01T10:00:00Z,        2026-12-28T00:00:00Z, 2027-01-04T00:00:00Z",
        "WEEKLY,  2028-02-29T10:00:00Z,        2028-02-28T00:00:00Z, 2028-03-06T00:00:00Z",
        "MONTHLY, 2026-01-31T23:59:59.999Z,    2026-01-01T00:00:00Z, 2026-02-01T00:00:00Z",
        "MONTHLY, 2026-02-01T00:00:00Z,        2026-02-01T00:00:00Z, 2026-03-01T00:00:00Z",
        "MONTHLY, 2027-02-28T23:00:00Z,        2027-02-01T00:00:00Z, 2027-03-01T00:00:00Z",
        "MONTHLY, 2028-02-29T23:59:59Z,        2028-02-01T00:00:00Z, 2028-03-01T00:00:00Z",
        "MONTHLY, 2026-12-31T12:00:00Z,        2026-12-01T00:00:00Z, 2027-01-01T00:00:00Z",
        "MONTHLY, 2026-04-30T23:59:59Z,        2026-04-01T00:00:00Z, 2026-05-01T00:00:00Z"
    })
    void windows(BudgetPeriod period, Instant now, Instant start, Instant reset) {
        assertThat(period.windowStart(now)).isEqualTo(start);
        assertThat(period.nextReset(now)).contains(reset);
    }

    @Test
    void theTotalPeriodIsOneWindowThatNeverResets() {
        assertThat(BudgetPeriod.TOTAL.windowStart(Instant.parse("2026-12-03T08:00:00Z")))
                .isEqualTo(Instant.EPOCH);
        assertThat(BudgetPeriod.TOTAL.windowStart(Instant.parse("2099-01-01T00:00:00Z")))
                .isEqualTo(Instant.EPOCH);
        assertThat(BudgetPeriod.TOTAL.nextReset(Instant.parse("2026-12-03T08:00:00Z")))
                .isEmpty();
    }

    @Test
    void windowsAreUtcWhateverTheServersZone() {
        // 23:30 in New York on the 31st is already the 1st in UTC: a new month.
        Instant newYorkNewYearsEve = Instant.parse("2027-01-01T04:30:00Z");
        assertThat(BudgetPeriod.MONTHLY.windowStart(newYorkNewYearsEve))
                .isEqualTo(Instant.parse("2027-01-01T00:00:00Z"));
    }

    @Property
    void everyInstantIsInsideItsWindowAndTheNextStartsAtTheReset(
            @ForAll @LongRange(min = 0, max = 7_258_118_400_000L) long epochMilli) {
        Instant now = Instant.ofEpochMilli(epochMilli);
        for (BudgetPeriod period : new BudgetPeriod[] {BudgetPeriod.DAILY, BudgetPeriod.WEEKLY, BudgetPeriod.MONTHLY}) {
            Instant start = period.windowStart(now);
            Instant reset = period.nextReset(now).orElseThrow();
            assertThat(start).isBeforeOrEqualTo(now);
            assertThat(reset).isAfter(now);
            assertThat(period.windowStart(reset.minusNanos(1))).isEqualTo(start);
            assertThat(period.windowStart(reset)).isEqualTo(reset);
            assertThat(start.atZone(ZoneOffset.UTC).toLocalTime().toSecondOfDay())
                    .isZero();
            if (period == BudgetPeriod.WEEKLY) {
                assertThat(start.atZone(ZoneOffset.UTC).getDayOfWeek()).isEqualTo(DayOfWeek.MONDAY);
            }
            if (period == BudgetPeriod.MONTHLY) {
                assertThat(start.atZone(ZoneOffset.UTC).getDayOfMonth()).isEqualTo(1);
            }
        }
    }

    @Test
    void labels() {
        assertThat(BudgetPeriod.parse(" Monthly ")).isEqualTo(BudgetPeriod.MONTHLY);
        assertThat(BudgetPeriod.WEEKLY.label()).isEqualTo("weekly");
        assertThatThrownBy(() -> BudgetPeriod.parse("fortnightly"))
                .hasMessageContaining("daily, weekly, monthly or total");
        assertThatThrownBy(() -> BudgetPeriod.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }
}
