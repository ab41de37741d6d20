package io.switchboard.usage;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The estimate one admitted request holds against its key's budget until it is settled with what
 * it really cost. Settled exactly once, whichever thread gets there first; see
 * {@link BudgetBook#settle(Reservation, java.util.OptionalLong)}.
 */
public final class Reservation {

    private final String keyId;
    private final Budget budget;
    private final Instant windowStart;
    private final long estimateMicros;
    private final AtomicReference<BudgetBook.State> account;
    private final AtomicBoolean settled = new AtomicBoolean();

    Reservation(
            String keyId,
            Budget budget,
            Instant windowStart,
            long estimateMicros,
            AtomicReference<BudgetBook.State> account) {
        this.keyId = keyId;
        this.budget = budget;
        this.windowStart = windowStart;
        this.estimateMicros = estimateMicros;
        this.account = account;
    }

    public String keyId() {
        return keyId;
    }

    public Budget budget() {
        return budget;
    }

    /** The window the request was admitted in, and is charged to whenever it settles. */
    public Instant windowStart() {
        return windowStart;
    }

    public long estimateMicros() {
        return estimateMicros;
    }

    public boolean isSettled() {
        return settled.get();
    }

    /** True for the one call that settles it. */
    boolean claim() {
        return settled.compareAndSet(false, true);
    }

    AtomicReference<BudgetBook.State> account() {
        return account;
    }

    @Override
    public String toString() {
        return "Reservation[key=" + keyId + ", window=" + windowStart + ", estimate=" + Micros.format(estimateMicros)
                + ", settled=" + settled.get() + "]";
    }
}
