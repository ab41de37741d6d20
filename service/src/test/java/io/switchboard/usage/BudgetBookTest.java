package io.switchboard.usage;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The admission rule, settlement, windows and restoring spend, one request at a time. */
class BudgetBookTest {

    private static final Instant NOW = Instant.parse("2026-12-03T10:00:00Z");
    private static final Budget TEN_DOLLARS_A_MONTH = new Budget(10_000_000, BudgetPeriod.MONTHLY);

    private final BudgetBook book = new BudgetBook();

    private Reservation admit(String key, Budget budget, long estimate, Instant now) {
        Admission admission = book.reserve(key, budget, estimate, now);
        assertThat(admission).isInstanceOf(Admission.Admitted.class);
        return ((Admission.Admitted) admission).reservation();
    }

    @Test
    void admittedWhileSpentPlusReservedIsBelowTheLimitStrictly() {
        Reservation first = admit("k", TEN_DOLLARS_A_MONTH, 9_999_999, NOW);
        Reservation second = admit("k", TEN_DOLLARS_A_MONTH, 500, NOW); // 9,999,999 < 10,000,000

        Admission third = book.reserve("k", TEN_DOLLARS_A_MONTH, 0, NOW); // 10,000,499 ≥ limit

        assertThat(third).isInstanceOfSatisfying(Admission.Refused.class, refused -> {
            assertThat(refused.budget()).isEqualTo(TEN_DOLLARS_A_MONTH);
            assertThat(refused.spentMicros()).isZero();
            assertThat(refused.reservedMicros()).isEqualTo(10_000_499);
            assertThat(refused.resetsAt()).contains(Instant.parse("2027-01-01T00:00:00Z"));
        });
        book.settle(first, OptionalLong.of(9_000_000));
        book.settle(second, OptionalLong.of(999_999));
        assertThat(book.reserve("k", TEN_DOLLARS_A_MONTH, 0, NOW))
                .as("9,999,999 spent: one micro-dollar left")
                .isInstanceOf(Admission.Admitted.class);
    }

    @Test
    void spentExactlyTheLimitRefuses() {
        book.load("k", BudgetPeriod.MONTHLY, 10_000_000, NOW);

        assertThat(book.reserve("k", TEN_DOLLARS_A_MONTH, 0, NOW)).isInstanceOf(Admission.Refused.class);
        assertThat(book.reserve("k", new Budget(0, BudgetPeriod.DAILY), 0, NOW))
                .as("a zero budget refuses all")
                .isInstanceOf(Admission.Refused.class);
    }

    @Test
    void theRefusalNamesTheBudgetWhatIsSpentAndTheReset() {
        book.load("k", BudgetPeriod.MONTHLY, 10_010_000, NOW);
        admit("other", TEN_DOLLARS_A_MONTH, 1, NOW);

        var refused = (Admission.Refused) book.reserve("k", TEN_DOLLARS_A_MONTH, 100, NOW);

        assertThat(refused.message())
                .isEqualTo("This key's budget of $10.00 per month is used up ($10.01 spent);"
                        + " it resets at 2027-01-01T00:00:00Z.");
        assertThat(refused.retryAfterSeconds(NOW)).contains(2_469_600L);
        assertThat(Admission.Refused.ERROR_CODE).isEqualTo("insufficient_quota");

        var total = new Budget(5_000_000, BudgetPeriod.TOTAL);
        book.load("t", BudgetPeriod.TOTAL, 5_000_000, NOW);
        var refusedForGood = (Admission.Refused) book.reserve("t", total, 1, NOW);
        assertThat(refusedForGood.message()).contains("$5.00 in total").contains("does not reset");
        assertThat(refusedForGood.retryAfterSeconds(NOW)).isEmpty();
    }

    @Test
    void settlingReplacesTheEstimateByTheActualCostOnce() {
        Reservation reservation = admit("k", TEN_DOLLARS_A_MONTH, 50_000, NOW);
        assertThat(book.status("k", TEN_DOLLARS_A_MONTH, NOW).reservedMicros()).isEqualTo(50_000);

        Settlement first = book.settle(reservation, OptionalLong.of(12_345));
        Settlement again = book.settle(reservation, OptionalLong.of(99_999));

        assertThat(first).isEqualTo(new Settlement(12_345, Settlement.Basis.ACTUAL, false));
        assertThat(again.basis()).isEqualTo(Settlement.Basis.ALREADY_SETTLED);
        BudgetStatus status = book.status("k", TEN_DOLLARS_A_MONTH, NOW);
        assertThat(status.spentMicros()).isEqualTo(12_345);
        assertThat(status.reservedMicros()).isZero();
        assertThat(status.inFlight()).isZero();
        assertThat(status.remainingMicros()).isEqualTo(10_000_000 - 12_345);
        assertThat(reservation.isSettled()).isTrue();
    }

    @Test
    void anUnknownCostChargesTheEstimateSoHangingUpIsNotFree() {
        Reservation leftMidStream = admit("k", TEN_DOLLARS_A_MONTH, 40_000, NOW);
        Reservation unpricedModel = admit("k", TEN_DOLLARS_A_MONTH, 0, NOW);

        assertThat(book.settle(leftMidStream, OptionalLong.empty()))
                .isEqualTo(new Settlement(40_000, Settlement.Basis.ESTIMATE, false));
        assertThat(book.settle(unpricedModel, OptionalLong.empty()))
                .isEqualTo(new Settlement(0, Settlement.Basis.ESTIMATE, false));
        assertThat(book.status("k", TEN_DOLLARS_A_MONTH, NOW).spentMicros()).isEqualTo(40_000);
    }

    @Test
    void aNewWindowStartsFromZeroAndAReservationIsChargedToTheWindowItWasAdmittedIn() {
        Instant lastMinuteOfNovember = Instant.parse("2026-11-30T23:59:00Z");
        Instant december = Instant.parse("2026-12-01T00:00:30Z");
        book.load("k", BudgetPeriod.MONTHLY, 9_000_000, lastMinuteOfNovember);
        Reservation november = admit("k", TEN_DOLLARS_A_MONTH, 800_000, lastMinuteOfNovember);

        Reservation firstOfDecember = admit("k", TEN_DOLLARS_A_MONTH, 100, december);
        BudgetStatus rolled = book.status("k", TEN_DOLLARS_A_MONTH, december);
        assertThat(rolled.spentMicros()).isZero();
        assertThat(rolled.reservedMicros())
                .as("November's request is still in flight")
                .isEqualTo(800_100);

        assertThat(book.settle(november, OptionalLong.of(700_000)))
                .isEqualTo(new Settlement(700_000, Settlement.Basis.ACTUAL, true));
        book.settle(firstOfDecember, OptionalLong.of(90));
        BudgetStatus after = book.status("k", TEN_DOLLARS_A_MONTH, december);
        assertThat(after.spentMicros()).as("November's cost stays in November").isEqualTo(90);
        assertThat(after.reservedMicros()).isZero();
        assertThat(after.windowStart()).isEqualTo(Instant.parse("2026-12-01T00:00:00Z"));
    }

    @Test
    void aClockReadingJustBeforeTheRollOverJoinsTheNewWindow() {
        book.reserve("k", TEN_DOLLARS_A_MONTH, 0, Instant.parse("2026-12-01T00:00:00.001Z"));
        Reservation late = admit("k", TEN_DOLLARS_A_MONTH, 5, Instant.parse("2026-11-30T23:59:59.999Z"));

        assertThat(late.windowStart()).isEqualTo(Instant.parse("2026-12-01T00:00:00Z"));
        book.settle(late, OptionalLong.of(5));
        assertThat(book.status("k", TEN_DOLLARS_A_MONTH, Instant.parse("2026-12-02T00:00:00Z"))
                        .spentMicros())
                .isEqualTo(5);
    }

    @Test
    void statusOfAnUnknownKeyAndForgetting() {
        assertThat(book.status("nobody", TEN_DOLLARS_A_MONTH, NOW))
                .isEqualTo(new BudgetStatus(
                        TEN_DOLLARS_A_MONTH,
                        Instant.parse("2026-12-01T00:00:00Z"),
                        Optional.of(Instant.parse("2027-01-01T00:00:00Z")),
                        0,
                        0,
                        0));
        book.load("k", BudgetPeriod.MONTHLY, 123, NOW);
        book.forget("k");
        assertThat(book.status("k", TEN_DOLLARS_A_MONTH, NOW).spentMicros()).isZero();
    }

    @Test
    void badArgumentsAreRefused() {
        Reservation reservation = admit("k", TEN_DOLLARS_A_MONTH, 1, NOW);
        assertThatThrownBy(() -> book.reserve("k", TEN_DOLLARS_A_MONTH, -1, NOW))
                .hasMessageContaining("negative");
        assertThatThrownBy(() -> book.settle(reservation, OptionalLong.of(-1))).hasMessageContaining("negative");
        assertThatThrownBy(() -> book.load("k", BudgetPeriod.DAILY, -1, NOW)).hasMessageContaining("negative");
        assertThatThrownBy(() -> new Budget(-1, BudgetPeriod.DAILY)).hasMessageContaining("between $0 and");
        assertThatThrownBy(() -> new Budget(Budget.MAX_LIMIT_MICROS + 1, BudgetPeriod.DAILY))
                .hasMessageContaining("$1000000.00");
        assertThat(reservation.isSettled())
                .as("a refused settle changes nothing")
                .isFalse();
    }
}
