package io.switchboard.config;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MinDuration;
import io.dropwizard.validation.ValidationMethod;
import io.switchboard.usage.LedgerSettings;
import io.switchboard.usage.LedgerSink;
import io.switchboard.usage.LedgerWriter;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import java.util.concurrent.TimeUnit;

/**
 * The {@code ledger:} block: how usage rows are batched into the database. Used only when there
 * is a {@code database:} block.
 */
public class LedgerConfiguration {

    /** The longest a row waits before it is written; also the pause between tries while the database fails. */
    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.MILLISECONDS)
    @JsonProperty
    private Duration flushInterval = Duration.milliseconds(200);

    /** Rows per insert; a batch goes as soon as this many are waiting. */
    @Min(1)
    @Max(10_000)
    @JsonProperty
    private int batchSize = 500;

    /**
     * Rows held, at most, while the database is slow or down (about 200 bytes each); rows past it
     * are dropped and counted in {@code switchboard_ledger_rows_dropped_total}.
     */
    @Min(1)
    @Max(10_000_000)
    @JsonProperty
    private int maxHeldRows = 50_000;

    /** How long a graceful shutdown may spend writing the rows still held. */
    @NotNull
    @JsonProperty
    private Duration shutdownTimeout = Duration.seconds(5);

    public LedgerSettings settings() {
        return new LedgerSettings(
                flushInterval.toJavaDuration(), batchSize, maxHeldRows, shutdownTimeout.toJavaDuration());
    }

    /** A writer into {@code sink}, counting in {@code metrics}; the caller manages its lifecycle. */
    public LedgerWriter build(LedgerSink sink, MetricRegistry metrics) {
        return new LedgerWriter(sink, settings(), metrics);
    }

    @ValidationMethod(message = "ledger.maxHeldRows must be at least ledger.batchSize")
    public boolean isHoldingAtLeastOneBatch() {
        return maxHeldRows >= batchSize;
    }
}
