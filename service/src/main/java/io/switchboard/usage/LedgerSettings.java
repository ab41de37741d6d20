package io.switchboard.usage;

import java.time.Duration;

/**
 * How the ledger writer batches and how much it holds while the database is away.
 *
 * @param flushInterval   the longest a row waits before its batch is written (and the pause
 *                        between two tries while the database fails)
 * @param batchSize       rows per insert: a batch is written as soon as this many are waiting
 * @param maxHeldRows     rows accepted but not yet written, at most; past it new rows are dropped
 * @param shutdownTimeout how long stopping may spend writing what is held
 */
public record LedgerSettings(Duration flushInterval, int batchSize, int maxHeldRows, Duration shutdownTimeout) {

    public LedgerSettings {
        if (flushInterval.isNegative() || flushInterval.isZero()) {
            throw new IllegalArgumentException("flushInterval must be positive");
        }
        if (batchSize < 1 || maxHeldRows < batchSize) {
            throw new IllegalArgumentException(
                    "need 1 <= batchSize <= maxHeldRows, got " + batchSize + " and " + maxHeldRows);
        }
        if (shutdownTimeout.isNegative()) {
            throw new IllegalArgumentException("shutdownTimeout must not be negative");
        }
    }
}
