package io.switchboard.usage;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.jackson.Jackson;
import io.switchboard.config.DatabaseConfiguration;
import io.switchboard.store.Database;
import io.switchboard.store.TokenCounts;
import io.switchboard.store.UsageRow;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * How many usage rows a second the ledger writer puts into a database: producer threads offer
 * rows as requests would (backing off only while the writer holds its bound), the one writer
 * thread batches them into the real tables through the real DAO, and the rate is rows written
 * over the time from the first offer to the last row committed. Not a timed test: run it with
 * {@code scripts/bench/ledger.sh}, which starts a PostgreSQL server for it.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.switchboard.usage.LedgerThroughput \
 *     [--rows 500000] [--producers 4] [--batch 500] [--interval-ms 200] [--max-held 50000] URL...
 * </pre>
 * Each URL is a {@code database.url}: {@code jdbc:sqlite:/tmp/ledger.db},
 * {@code jdbc:postgresql://127.0.0.1:55439/postgres?user=postgres}.
 */
public final class LedgerThroughput {

    private LedgerThroughput() {}

    public static void main(String[] args) throws Exception {
        // Only the results on stdout: Flyway's and the writer's INFO lines would bury them.
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(Level.WARN);
        int rows = 500_000;
        int producers = 4;
        int batch = 500;
        int intervalMs = 200;
        int maxHeld = 50_000;
        var urls = new ArrayList<String>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rows" -> rows = Integer.parseInt(args[++i]);
                case "--producers" -> producers = Integer.parseInt(args[++i]);
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--interval-ms" -> intervalMs = Integer.parseInt(args[++i]);
                case "--max-held" -> maxHeld = Integer.parseInt(args[++i]);
                default -> urls.add(args[i]);
            }
        }
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("usage: LedgerThroughput [--rows N] [--producers N] [--batch N]"
                    + " [--interval-ms N] [--max-held N] jdbc:sqlite:FILE|jdbc:postgresql:URL ...");
        }
        var settings = new LedgerSettings(Duration.ofMillis(intervalMs), batch, maxHeld, Duration.ofSeconds(60));
        System.out.printf(
                "rows=%d producers=%d batchSize=%d flushInterval=%dms maxHeldRows=%d cpus=%d%n",
                rows,
                producers,
                batch,
                intervalMs,
                maxHeld,
                Runtime.getRuntime().availableProcessors());
        for (String url : urls) {
            var database = configuration(url).build(new MetricRegistry());
            database.start();
            try {
                // A warm-up round (JIT, connections), then the measured one; the table is emptied between.
                measure(database, settings, Math.max(rows / 5, batch), producers);
                clear(database);
                Result result = measure(database, settings, rows, producers);
                System.out.printf(
                        "%-10s %,9d rows in %6.2f s = %,8.0f rows/s  (%d inserts, %d offers refused and"
                                + " retried, %d rows in the table)%n",
                        database.backend(),
                        rows,
                        result.seconds(),
                        rows / result.seconds(),
                        result.inserts(),
                        result.refused(),
                        count(database));
                clear(database);
            } finally {
                database.stop();
            }
        }
    }

    private record Result(double seconds, long inserts, long refused) {}

    private static Result measure(Database database, LedgerSettings settings, int rows, int producers)
            throws InterruptedException {
        var metrics = new MetricRegistry();
        var writer = new LedgerWriter(database.usage()::insertAll, settings, metrics);
        writer.start();
        var threads = new ArrayList<Thread>();
        int each = rows / producers;
        long began = System.nanoTime();
        for (int p = 0; p < producers; p++) {
            int first = p * each;
            int count = p == producers - 1 ? rows - first : each;
            var thread = new Thread(() -> produce(writer, settings, first, count), "producer-" + p);
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        var written = metrics.counter(LedgerWriter.WRITTEN);
        while (written.getCount() < rows) {
            Thread.sleep(1);
        }
        double seconds = (System.nanoTime() - began) / 1e9;
        long refused = metrics.counter(LedgerWriter.DROPPED).getCount();
        long inserts = metrics.timer(LedgerWriter.FLUSHES).getCount();
        writer.stop();
        return new Result(seconds, inserts, refused);
    }

    /** Offers rows like requests would, waiting (not dropping) while the writer holds its bound. */
    private static void produce(LedgerWriter writer, LedgerSettings settings, int first, int count) {
        long now = System.currentTimeMillis();
        for (int i = first; i < first + count; i++) {
            var row = new UsageRow(
                    "req-" + i,
                    now + i / 1000,
                    "vk_team" + (i % 50),
                    "chat.completions",
                    i % 3 == 0 ? "anthropic" : "openai",
                    "gpt-4o",
                    "gpt-4o-2024-08-06",
                    i % 2 == 0,
                    200,
                    null,
                    1,
                    new TokenCounts(1_200L + i % 500, 300L + i % 200, i % 4 == 0 ? 1_024L : 0L, null, null),
                    2_500L + i % 1000,
                    800 + i % 300,
                    i % 2 == 0 ? 120L + i % 50 : null);
            while (writer.held() >= settings.maxHeldRows() - settings.batchSize() || !writer.offer(row)) {
                try {
                    TimeUnit.MICROSECONDS.sleep(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private static DatabaseConfiguration configuration(String url) {
        Map<String, Object> block = new LinkedHashMap<>();
        block.put("url", url);
        ObjectMapper mapper = Jackson.newObjectMapper();
        return mapper.convertValue(block, DatabaseConfiguration.class);
    }

    private static long count(Database database) {
        return database.jdbi()
                .withHandle(handle -> handle.createQuery("SELECT COUNT(*) FROM usage_ledger")
                        .mapTo(Long.class)
                        .one());
    }

    private static void clear(Database database) {
        database.jdbi().useHandle(handle -> handle.execute("DELETE FROM usage_ledger"));
    }
}
