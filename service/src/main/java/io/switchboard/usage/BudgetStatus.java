package io.switchboard.usage;

import java.time.Instant;
import java.util.Optional;

/**
 * A key's budget as it stands, for the admin API and the page: the share used is
 * {@code spentMicros / budget.limitMicros()}.
 *
 * @param reservedMicros estimates held by the {@code inFlight} requests not yet settled
 */
public record BudgetStatus(
        Budget budget,
        Instant windowStart,
        Optional<Instant> resetsAt,
        long spentMicros,
        long reservedMicros,
        long inFlight) {

    public long remainingMicros() {
        return Math.max(0, budget.limitMicros() - spentMicros - reservedMicros);
    }
}
