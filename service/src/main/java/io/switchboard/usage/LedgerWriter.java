package io.switchboard.usage;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import io.dropwizard.lifecycle.Managed;
import io.switchboard.store.UsageRow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Writes the usage ledger off the request path. A request hands its row to {@link #offer}, which
 * never blocks and never touches the database; one writer thread inserts the rows in batches: as
 * soon as {@code batchSize} are waiting, or {@code flushInterval} after the first of a batch.
 *
 * <p>When the database is slow or down, requests keep flowing: the batch is held and tried again
 * every {@code flushInterval}, rows keep being accepted until {@code maxHeldRows} are held (in the
 * queue and in the batch together), and past that bound each new row is dropped and counted in
 * {@value #DROPPED}. A warning says so at most once a minute. Nothing here grows without bound.
 * Stopping writes what is held, for at most {@code shutdownTimeout}.
 *
 * <p>Metrics (Dropwizard's registry, exposed through Prometheus as {@code switchboard_ledger_…}):
 * {@value #WRITTEN}, {@value #DROPPED}, {@value #FAILURES} (batches that failed, each retried),
 * {@value #HELD} (rows accepted and not yet written) and {@value #FLUSHES} (time per insert).
 */
public final class LedgerWriter implements Managed {

    public static final String WRITTEN = "switchboard.ledger.rows.written";
    public static final String DROPPED = "switchboard.ledger.rows.dropped";
    public static final String HELD = "switchboard.ledger.rows.held";
    public static final String FAILURES = "switchboard.ledger.write.failures";
    public static final String FLUSHES = "switchboard.ledger.flushes";

    private static final Logger LOG = LoggerFactory.getLogger(LedgerWriter.class);
    /** How long the writer waits at a time, so that stopping is noticed promptly. */
    private static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private static final long REPORT_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final LedgerSink sink;
    private final LedgerSettings settings;
    private final LongSupplier nanoClock;
    private final BlockingQueue<UsageRow> queue;
    /** Rows accepted and not yet written (queued or in the batch): what {@code maxHeldRows} bounds. */
    private final AtomicInteger held = new AtomicInteger();

    private final Counter written;
    private final Counter dropped;
    private final Counter failures;
    private final Timer flushes;
    private final Thread thread;

    private volatile boolean stopping;
    private volatile boolean abandoned;

    // The writer thread's own state.
    private final List<UsageRow> batch;
    private long batchStartedNanos;
    private long failingSinceMillis;
    private int failedTries;
    private Exception lastError;
    private long lastReportNanos;
    private boolean reported;
    private long droppedReported;

    public LedgerWriter(LedgerSink sink, LedgerSettings settings, MetricRegistry metrics) {
        this(sink, settings, metrics, System::nanoTime);
    }

    LedgerWriter(LedgerSink sink, LedgerSettings settings, MetricRegistry metrics, LongSupplier nanoClock) {
        this.sink = sink;
        this.settings = settings;
        this.nanoClock = nanoClock;
        // Never more than maxHeldRows are held, so a queue of that size always has room for an accepted row.
        this.queue = new ArrayBlockingQueue<>(settings.maxHeldRows());
        this.batch = new ArrayList<>(settings.batchSize());
        this.written = metrics.counter(WRITTEN);
        this.dropped = metrics.counter(DROPPED);
        this.failures = metrics.counter(FAILURES);
        this.flushes = metrics.timer(FLUSHES);
        metrics.register(HELD, (Gauge<Integer>) held::get);
        this.thread = new Thread(this::run, "usage-ledger-writer");
        thread.setDaemon(true);
        thread.setUncaughtExceptionHandler((t, e) -> LOG.error(
                "Usage ledger: the writer stopped; rows are no longer"
                        + " written (they are held, then dropped and counted)",
                e));
    }

    /**
     * Takes a row to write, without blocking: false (and the row counted as dropped) when
     * {@code maxHeldRows} are already held or the writer has stopped.
     */
    public boolean offer(UsageRow row) {
        if (stopping) {
            dropped.inc();
            return false;
        }
        int current;
        do {
            current = held.get();
            if (current >= settings.maxHeldRows()) {
                dropped.inc();
                return false;
            }
        } while (!held.compareAndSet(current, current + 1));
        queue.add(row);
        if ((current + 1) % settings.batchSize() == 0) {
            LockSupport.unpark(thread); // a batch's worth is waiting: no need to wait out the interval
        }
        return true;
    }

    /** Rows accepted and not yet written. */
    public int held() {
        return held.get();
    }

    @Override
    public void start() {
        thread.start();
        LOG.info(
                "Usage ledger: batches of up to {} rows, each row written within {} ms; up to {} rows held while"
                        + " the database is away",
                settings.batchSize(),
                settings.flushInterval().toMillis(),
                settings.maxHeldRows());
    }

    /** Writes what is held, giving up after {@code shutdownTimeout}: what is left then is dropped and counted. */
    @Override
    public void stop() throws InterruptedException {
        stopping = true;
        LockSupport.unpark(thread);
        if (thread.isAlive()) {
            thread.join(Math.max(1, settings.shutdownTimeout().toMillis()));
        }
        if (thread.isAlive()) {
            abandoned = true;
        }
        // Left when the writer gave up, or offered in the instant between the last check and stopping.
        int lost = held.getAndSet(0);
        if (lost > 0) {
            dropped.inc(lost);
            LOG.warn(
                    "Usage ledger: {} row(s) could not be written within the shutdown timeout ({} ms) and are lost",
                    lost,
                    settings.shutdownTimeout().toMillis());
        }
    }

    private void run() {
        while (!abandoned && !(stopping && batch.isEmpty() && queue.isEmpty())) {
            try {
                fill();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (!batch.isEmpty() && !write() && !pause()) {
                return;
            }
            report();
        }
    }

    /** Tops the batch up: waits for a first row, then until the batch is full or its time is up. */
    /**
     * Waits for a batch: at most a flush interval (measured from the first row), or until a
     * producer says a batch's worth is waiting. The writer sleeps rather than waiting on the
     * queue, so a request that hands over a row wakes no thread (no unpark, no context switch)
     * but once per batch.
     */
    private void fill() throws InterruptedException {
        if (batch.isEmpty()) {
            if (queue.isEmpty()) {
                LockSupport.parkNanos(
                        this, Math.min(SLICE_NANOS, settings.flushInterval().toNanos()));
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
            }
            if (queue.drainTo(batch, settings.batchSize()) == 0) {
                return;
            }
            batchStartedNanos = nanoClock.getAsLong();
        }
        long deadline = batchStartedNanos + settings.flushInterval().toNanos();
        while (batch.size() < settings.batchSize() && !stopping) {
            queue.drainTo(batch, settings.batchSize() - batch.size());
            long remaining = deadline - nanoClock.getAsLong();
            if (batch.size() >= settings.batchSize() || remaining <= 0) {
                return;
            }
            LockSupport.parkNanos(this, Math.min(remaining, SLICE_NANOS));
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
        queue.drainTo(batch, settings.batchSize() - batch.size());
    }

    /** One insert of the whole batch; false (the batch kept for the next try) when it fails. */
    private boolean write() {
        int size = batch.size();
        Timer.Context timing = flushes.time();
        try {
            sink.insertAll(Collections.unmodifiableList(batch));
        } catch (Exception e) {
            failures.inc();
            failedTries++;
            lastError = e;
            if (failingSinceMillis == 0) {
                failingSinceMillis = System.currentTimeMillis();
            }
            return false;
        } finally {
            timing.stop();
        }
        batch.clear();
        written.inc(size);
        if (!abandoned) {
            held.addAndGet(-size);
        }
        if (failingSinceMillis != 0) {
            if (shouldReport()) {
                LOG.info(
                        "Usage ledger: writing again after {} failed tries; {} row(s) held, {} dropped in all",
                        failedTries,
                        held.get(),
                        dropped.getCount());
            }
            failingSinceMillis = 0;
            failedTries = 0;
            lastError = null;
        }
        return true;
    }

    /** Waits one flush interval before trying a failed batch again (cut short only when stopping gives up). */
    private boolean pause() {
        report();
        long until = nanoClock.getAsLong() + settings.flushInterval().toNanos();
        long left;
        while (!abandoned && (left = until - nanoClock.getAsLong()) > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(Math.min(left, SLICE_NANOS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** At most one warning a minute, and only when something went wrong since the last one. */
    private void report() {
        long droppedNow = dropped.getCount();
        boolean trouble = failingSinceMillis != 0 || droppedNow > droppedReported;
        if (!trouble || !shouldReport()) {
            return;
        }
        String failing = failingSinceMillis == 0
                ? "the database is not keeping up"
                : "database writes failing for " + (System.currentTimeMillis() - failingSinceMillis) / 1000 + " s ("
                        + failedTries + " tries; last: " + describe(lastError) + ")";
        LOG.warn(
                "Usage ledger: {}; {} row(s) held (at most {}), {} dropped since the last report, {} in all",
                failing,
                held.get(),
                settings.maxHeldRows(),
                droppedNow - droppedReported,
                droppedNow);
        droppedReported = droppedNow;
    }

    private boolean shouldReport() {
        long now = nanoClock.getAsLong();
        if (reported && now - lastReportNanos < REPORT_EVERY_NANOS) {
            return false;
        }
        reported = true;
        lastReportNanos = now;
        return true;
    }

    /** The root cause in a few words: driver messages say what is wrong ("Connection refused"); the SQL does not. */
    private static String describe(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null
                ? ""
                : ": " + root.getMessage().lines().findFirst().orElse("");
        return root.getClass().getSimpleName() + message;
    }
}
