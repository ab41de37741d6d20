package io.switchboard.usage;

import java.time.Instant;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Every key's spend in its current budget window, in memory, exact and safe under any
 * concurrency: one immutable {@link State} per key behind an {@link AtomicReference}, changed by
 * compare-and-set loops only, so there is no lock to wait on and no moment at which two requests
 * can both see room that only one of them may take.
 *
 * <p><b>Admission.</b> A request is admitted iff {@code spent + reserved < limit} (strictly), and
 * admitting it adds its estimate to {@code reserved} in the same atomic step. {@code reserved} is
 * the sum of the estimates of the requests admitted and not yet settled.
 *
 * <p><b>Settlement.</b> {@link #settle} takes the estimate out of {@code reserved} and adds the
 * actual cost to {@code spent}, once per reservation however many threads call it (the stream's
 * end, its error, the client leaving, a timeout). An unknown actual cost charges the estimate: a
 * request that ends without usage (a client that leaves mid-stream, an upstream error after tokens
 * were generated) may well have cost money, and charging nothing would let a client spend without
 * limit by hanging up. For a model with no price the estimate is 0, so that charges nothing.
 *
 * <p><b>Windows.</b> When a request arrives after its key's window ended, spend starts again
 * from 0 for the new window; reservations still in flight stay reserved. A request is charged to
 * the window it was admitted in, even if it settles after the window ended; the ledger should date
 * its row by the request's start for the two to agree. Windows never go backwards: a thread
 * whose clock reading is a moment older than the last roll-over joins the newer window.
 *
 * <p><b>Overshoot.</b> Proved in docs/usage-budgets-draft.md: with {@code L} the last request
 * admitted in a window and {@code F} the requests in flight when it was admitted, the window's
 * final spend is at most {@code limit − 1 + est(L) + Σ over F∪{L} of (actual − est)}. When every
 * estimate is at least the actual cost, spend stays below {@code limit + est(L)}.
 */
public final class BudgetBook {

    private final ConcurrentHashMap<String, AtomicReference<State>> accounts = new ConcurrentHashMap<>();

    /**
     * Admit a request of {@code keyId} against {@code budget} and reserve {@code estimateMicros},
     * or refuse it with what the 429 needs. An estimate of 0 (a model without a price) still needs
     * room: a key whose budget is used up cannot go on with unpriced models either.
     */
    public Admission reserve(String keyId, Budget budget, long estimateMicros, Instant now) {
        Objects.requireNonNull(budget, "budget");
        if (estimateMicros < 0) {
            throw new IllegalArgumentException("an estimate cannot be negative: " + estimateMicros);
        }
        AtomicReference<State> account = account(keyId);
        Instant window = budget.period().windowStart(now);
        while (true) {
            State current = account.get();
            State rolled = current.at(window);
            if (Math.addExact(rolled.spent(), rolled.reserved()) >= budget.limitMicros()) {
                if (rolled != current) {
                    account.compareAndSet(current, rolled); // record the roll-over; losing the race is fine
                }
                return new Admission.Refused(
                        keyId,
                        budget,
                        rolled.spent(),
                        rolled.reserved(),
                        budget.period().nextReset(rolled.windowStart()));
            }
            State next = new State(
                    rolled.windowStart(),
                    rolled.spent(),
                    Math.addExact(rolled.reserved(), estimateMicros),
                    rolled.inFlight() + 1);
            if (account.compareAndSet(current, next)) {
                return new Admission.Admitted(
                        new Reservation(keyId, budget, next.windowStart(), estimateMicros, account));
            }
        }
    }

    /**
     * Replace the reservation's estimate by what the request cost; only the first call for a
     * reservation changes anything, from any thread.
     *
     * @param actualMicros the cost, or empty when it is unknown: then the estimate is charged
     */
    public Settlement settle(Reservation reservation, OptionalLong actualMicros) {
        Objects.requireNonNull(reservation, "reservation");
        if (actualMicros.isPresent() && actualMicros.getAsLong() < 0) {
            throw new IllegalArgumentException("a cost cannot be negative: " + actualMicros.getAsLong());
        }
        if (!reservation.claim()) {
            return new Settlement(0, Settlement.Basis.ALREADY_SETTLED, false);
        }
        long charge = actualMicros.orElse(reservation.estimateMicros());
        var basis = actualMicros.isPresent() ? Settlement.Basis.ACTUAL : Settlement.Basis.ESTIMATE;
        AtomicReference<State> account = reservation.account();
        while (true) {
            State current = account.get();
            boolean sameWindow = current.windowStart().equals(reservation.windowStart());
            State next = new State(
                    current.windowStart(),
                    sameWindow ? Math.addExact(current.spent(), charge) : current.spent(),
                    current.reserved() - reservation.estimateMicros(),
                    current.inFlight() - 1);
            if (account.compareAndSet(current, next)) {
                return new Settlement(charge, basis, !sameWindow);
            }
        }
    }

    /**
     * Set a key's spend in the current window, as summed from the ledger at start, or after its
     * budget or period changed. Reservations in flight stay reserved.
     */
    public void load(String keyId, BudgetPeriod period, long spentMicros, Instant now) {
        if (spentMicros < 0) {
            throw new IllegalArgumentException("spend cannot be negative: " + spentMicros);
        }
        Instant window = period.windowStart(now);
        account(keyId).updateAndGet(current -> new State(window, spentMicros, current.reserved(), current.inFlight()));
    }

    /**
     * Adds a cost charged elsewhere (by the shared counters in Redis) to the key's spend in the
     * window of {@code now}, so that this book is current if it has to take over.
     */
    public void record(String keyId, BudgetPeriod period, long micros, Instant now) {
        if (micros <= 0) {
            return;
        }
        Instant window = period.windowStart(now);
        account(keyId).updateAndGet(current -> {
            State rolled = current.at(window);
            return new State(
                    rolled.windowStart(), Math.addExact(rolled.spent(), micros), rolled.reserved(), rolled.inFlight());
        });
    }

    /** Where a key stands against {@code budget} now, without changing anything. */
    public BudgetStatus status(String keyId, Budget budget, Instant now) {
        AtomicReference<State> account = accounts.get(keyId);
        Instant window = budget.period().windowStart(now);
        State state = account == null ? State.empty(window) : account.get().at(window);
        return new BudgetStatus(
                budget,
                state.windowStart(),
                budget.period().nextReset(state.windowStart()),
                state.spent(),
                state.reserved(),
                state.inFlight());
    }

    /**
     * Drop a deleted key's account. Requests of it still in flight settle into the dropped
     * account, so a key that comes back under the same id starts from what {@link #load} says.
     */
    public void forget(String keyId) {
        accounts.remove(keyId);
    }

    private AtomicReference<State> account(String keyId) {
        Objects.requireNonNull(keyId, "keyId");
        return accounts.computeIfAbsent(keyId, id -> new AtomicReference<>(State.empty(Instant.EPOCH)));
    }

    /** One key's account at one moment; never changed, only replaced. */
    record State(Instant windowStart, long spent, long reserved, long inFlight) {

        static State empty(Instant windowStart) {
            return new State(windowStart, 0, 0, 0);
        }

        /** This state as seen from {@code window}: a later window starts with nothing spent. */
        State at(Instant window) {
            return window.isAfter(windowStart) ? new State(window, 0, reserved, inFlight) : this;
        }
    }
}
