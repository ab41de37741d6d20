package io.switchboard.usage;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The overshoot bound of docs/usage-budgets-draft.md, under real threads and, exactly, over every
 * interleaving jqwik can think of: with {@code L} the last request admitted in the window and
 * {@code F} the requests in flight when it was admitted,
 * {@code spent ≤ limit − 1 + est(L) + Σ over F∪{L} of (actual − est)}; and spend is always the
 * exact sum of what the settlements charged.
 */
class BudgetBookConcurrencyTest {

    private static final Instant NOW = Instant.parse("2026-12-03T10:00:00Z");

    @Test
    void twoHundredThreadsWhoseEstimatesAreUpperBoundsStayBelowLimitPlusOneEstimate() throws Exception {
        Outcome outcome = hammer(1_000_000, (random, estimate) -> OptionalLong.of(random.nextLong(estimate + 1)));

        assertThat(outcome.refused).as("the budget was really used up").isPositive();
        assertThat(outcome.excess).isZero();
        assertThat(outcome.spent).isEqualTo(outcome.charged);
        assertThat(outcome.spent).isLessThanOrEqualTo(1_000_000 - 1 + outcome.maxEstimate);
    }

    @Test
    void twoHundredThreadsWithRandomActualCostsAndUnknownOnesStayWithinTheBound() throws Exception {
        Outcome outcome = hammer(
                1_000_000,
                (random, estimate) -> random.nextInt(10) == 0
                        ? OptionalLong.empty() // client left: charged the estimate
                        : OptionalLong.of(random.nextLong(3 * estimate + 1))); // anywhere from 0 to 3 × the estimate

        assertThat(outcome.refused).isPositive();
        assertThat(outcome.spent).as("spend is exactly what was charged").isEqualTo(outcome.charged);
        // F ∪ {L} is some subset of the admitted requests and est(L) ≤ the largest estimate, so:
        assertThat(outcome.spent).isLessThanOrEqualTo(1_000_000 - 1 + outcome.maxEstimate + outcome.excess);
    }

    /** How each admitted request ends: its actual cost, or empty when unknown. */
    interface Ending {
        OptionalLong actual(SplittableRandom random, long estimate);
    }

    record Outcome(long spent, long charged, long excess, long maxEstimate, long refused) {}

    /**
     * 200 threads, 60 requests each, against one $1 budget. Each admitted request is settled twice,
     * racing: by its own thread with its ending, and by a second pool with an unknown cost (as when
     * the stream's error and the client's departure arrive together); only one may count.
     */
    private static Outcome hammer(long limit, Ending ending) throws Exception {
        var budget = new Budget(limit, BudgetPeriod.MONTHLY);
        var book = new BudgetBook();
        var charged = new LongAdder();
        var excess = new LongAdder();
        var refused = new LongAdder();
        var maxEstimate = new LongAccumulator(Math::max, 0);
        var seeds = new AtomicLong(20261203);
        ExecutorService threads = Executors.newFixedThreadPool(200);
        ExecutorService rivals = Executors.newFixedThreadPool(4);
        var start = new CountDownLatch(1);
        var futures = new ArrayList<Future<?>>();
        try {
            for (int t = 0; t < 200; t++) {
                long seed = seeds.getAndIncrement();
                futures.add(threads.submit(() -> {
                    var random = new SplittableRandom(seed);
                    start.await();
                    for (int i = 0; i < 60; i++) {
                        long estimate = 1 + random.nextLong(5_000);
                        Admission admission = book.reserve("team-a", budget, estimate, NOW);
                        if (admission instanceof Admission.Refused) {
                            refused.increment();
                            continue;
                        }
                        Reservation reservation = ((Admission.Admitted) admission).reservation();
                        maxEstimate.accumulate(estimate);
                        OptionalLong actual = ending.actual(random, estimate);
                        for (int spin = random.nextInt(200); spin > 0; spin--) {
                            Thread.onSpinWait(); // stay in flight a moment, as a call does
                        }
                        Future<Settlement> rival = rivals.submit(() -> book.settle(reservation, OptionalLong.empty()));
                        Settlement mine = book.settle(reservation, actual);
                        Settlement theirs = rival.get();
                        assertThat(List.of(mine.basis(), theirs.basis()))
                                .as("exactly one settlement counts")
                                .containsOnlyOnce(Settlement.Basis.ALREADY_SETTLED);
                        long charge = mine.chargedMicros() + theirs.chargedMicros();
                        charged.add(charge);
                        excess.add(Math.max(0, charge - estimate));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : futures) {
                future.get(60, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
            rivals.shutdownNow();
        }
        BudgetStatus status = book.status("team-a", budget, NOW);
        assertThat(status.reservedMicros()).isZero();
        assertThat(status.inFlight()).isZero();
        return new Outcome(status.spentMicros(), charged.sum(), excess.sum(), maxEstimate.get(), refused.sum());
    }

    // ------------------------------------------------------------------ every interleaving, exactly

    /** One step of a schedule: admit a new request, or settle the in-flight request at {@code pick}. */
    record Step(boolean reserve, long estimate, long actual, int pick) {}

    @Provide
    Arbitrary<List<Step>> schedules() {
        Arbitrary<Step> step = Combinators.combine(
                        Arbitraries.of(true, false),
                        Arbitraries.longs().between(0, 400),
                        Arbitraries.longs().between(0, 1_200),
                        Arbitraries.integers().between(0, 1_000))
                .as(Step::new);
        return step.list().ofMinSize(1).ofMaxSize(120);
    }

    @Property
    void anyInterleavingEndsWithinTheExactBound(
            @ForAll("schedules") List<Step> schedule, @ForAll @LongRange(min = 0, max = 3_000) long limit) {
        var budget = new Budget(limit, BudgetPeriod.DAILY);
        var book = new BudgetBook();
        record InFlight(Reservation reservation, long estimate, long actual) {}
        var inFlight = new ArrayList<InFlight>();
        InFlight last = null;
        List<InFlight> inFlightAtLast = List.of();
        long charged = 0;
        for (Step step : schedule) {
            if (step.reserve()) {
                Admission admission = book.reserve("k", budget, step.estimate(), NOW);
                if (admission instanceof Admission.Admitted admitted) {
                    inFlightAtLast = List.copyOf(inFlight);
                    last = new InFlight(admitted.reservation(), step.estimate(), step.actual());
                    inFlight.add(last);
                }
            } else if (!inFlight.isEmpty()) {
                InFlight done = inFlight.remove(step.pick() % inFlight.size());
                charged += book.settle(done.reservation(), OptionalLong.of(done.actual()))
                        .chargedMicros();
            }
        }
        for (InFlight done : inFlight) {
            charged += book.settle(done.reservation(), OptionalLong.of(done.actual()))
                    .chargedMicros();
        }

        long spent = book.status("k", budget, NOW).spentMicros();
        assertThat(spent).isEqualTo(charged);
        if (last != null) {
            long bound = limit - 1 + last.estimate() + (last.actual() - last.estimate());
            for (InFlight other : inFlightAtLast) {
                bound += other.actual() - other.estimate();
            }
            assertThat(spent).isLessThanOrEqualTo(bound);
        } else {
            assertThat(spent).isZero();
        }
    }
}
