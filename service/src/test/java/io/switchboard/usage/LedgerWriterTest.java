package io.switchboard.usage;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.codahale.metrics.MetricRegistry;
import io.switchboard.store.Database;
import io.switchboard.store.DatabaseBackend;
import io.switchboard.store.TokenCounts;
import io.switchboard.store.UsageDao;
import io.switchboard.store.UsageRow;
import io.switchboard.testing.PostgresServer;
import io.switchboard.testing.TestDatabases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ledger writer against real databases: one insert per batch, a lone row written within the
 * interval, rows held while the database is away (a PostgreSQL server stopped with pg_ctl, an
 * SQLite sink shut), dropped past the bound and counted exactly, written when it returns, a
 * flush on stop, a caller that never waits, and at most one warning a minute.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LedgerWriterTest {

    private static final Duration LONG = Duration.ofHours(1);

    private TestDatabases databases;
    private final MetricRegistry metrics = new MetricRegistry();
    private LedgerWriter writer;

    @BeforeAll
    void open(@TempDir Path directory) {
        databases = TestDatabases.open(directory);
    }

    @AfterAll
    void close() {
        databases.close();
    }

    @BeforeEach
    void clear() {
        databases.clear();
        metrics.removeMatching((name, metric) -> true);
    }

    @AfterEach
    void stopWriter() throws InterruptedException {
        if (writer != null) {
            writer.stop();
        }
    }

    static UsageRow row(int n) {
        return new UsageRow(
                "req-" + n,
                1_767_225_600_000L + n,
                "vk_a",
                "chat.completions",
                "openai",
                "gpt-4o",
                "gpt-4o-2024-08-06",
                n % 2 == 0,
                200,
                null,
                1,
                new TokenCounts(10L, 20L, null, null, null),
                15L,
                100,
                n % 2 == 0 ? 30L : null);
    }

    private LedgerWriter start(LedgerSink sink, Duration interval, int batch, int maxHeld) {
        writer = new LedgerWriter(sink, new LedgerSettings(interval, batch, maxHeld, Duration.ofSeconds(10)), metrics);
        writer.start();
        return writer;
    }

    private static long rows(Database database) {
        return database.jdbi()
                .withHandle(handle -> handle.createQuery("SELECT COUNT(*) FROM usage_ledger")
                        .mapTo(Long.class)
                        .one());
    }

    private long counter(String name) {
        return metrics.counter(name).getCount();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(10);
        }
    }

    /** The real DAO, recording the size of each batch it is given. */
    private record CountingSink(UsageDao dao, List<Integer> batches) implements LedgerSink {

        CountingSink(UsageDao dao) {
            this(dao, new CopyOnWriteArrayList<>());
        }

        @Override
        public void insertAll(List<UsageRow> rows) {
            dao.insertAll(rows);
            batches.add(rows.size());
        }
    }

    /** The real DAO behind a switch: shut, it fails as a database that went away does. */
    private record SwitchedSink(UsageDao dao, AtomicBoolean open) implements LedgerSink {

        @Override
        public void insertAll(List<UsageRow> rows) throws SQLException {
            if (!open.get()) {
                throw new SQLException("[SQLITE_CANTOPEN] unable to open database file");
            }
            dao.insertAll(rows);
        }
    }

    @ParameterizedTest
    @EnumSource(DatabaseBackend.class)
    void rowsGoInOneInsertPerBatch(DatabaseBackend backend) throws InterruptedException {
        var database = databases.get(backend);
        var sink = new CountingSink(database.usage());
        start(sink, LONG, 100, 10_000);

        for (int i = 0; i < 1_000; i++) {
            assertThat(writer.offer(row(i))).isTrue();
        }

        await("1,000 rows written", () -> counter(LedgerWriter.WRITTEN) == 1_000);
        assertThat(sink.batches()).hasSize(10).containsOnly(100);
        assertThat(rows(database)).isEqualTo(1_000);
        assertThat(writer.held()).isZero();
        assertThat(metrics.timer(LedgerWriter.FLUSHES).getCount()).isEqualTo(10);
    }

    @ParameterizedTest
    @EnumSource(DatabaseBackend.class)
    void aFewRowsAreWrittenTogetherWithinTheFlushInterval(DatabaseBackend backend) throws InterruptedException {
        var database = databases.get(backend);
        var sink = new CountingSink(database.usage());
        start(sink, Duration.ofMillis(300), 1_000, 10_000);
        long offered = System.nanoTime();

        writer.offer(row(1));
        writer.offer(row(2));
        writer.offer(row(3));

        await("3 rows written", () -> counter(LedgerWriter.WRITTEN) == 3);
        long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - offered);
        assertThat(sink.batches()).containsExactly(3);
        assertThat(waited).as("held for the interval, not much longer").isBetween(250L, 2_000L);
        assertThat(rows(database)).isEqualTo(3);
    }

    @ParameterizedTest
    @EnumSource(DatabaseBackend.class)
    void stoppingWritesWhatIsHeld(DatabaseBackend backend) throws InterruptedException {
        var database = databases.get(backend);
        start(database.usage()::insertAll, LONG, 1_000, 10_000);
        for (int i = 0; i < 10; i++) {
            writer.offer(row(i));
        }

        writer.stop();

        assertThat(rows(database)).isEqualTo(10);
        assertThat(counter(LedgerWriter.DROPPED)).isZero();
        assertThat(writer.offer(row(11)))
                .as("after stopping, a row is refused and counted")
                .isFalse();
        assertThat(counter(LedgerWriter.DROPPED)).isEqualTo(1);
    }

    @Test
    void whilePostgresIsDownRowsAreHeldThenDroppedAndWrittenWhenItComesBack() throws InterruptedException {
        try (var server = PostgresServer.startNew()) {
            var database = TestDatabases.postgres(server.createDatabase()).build(new MetricRegistry());
            database.start();
            try {
                start(database.usage()::insertAll, Duration.ofMillis(50), 50, 200);
                for (int i = 0; i < 100; i++) {
                    writer.offer(row(i));
                }
                await("the first 100 rows written", () -> counter(LedgerWriter.WRITTEN) == 100);

                server.stop();
                int accepted = 0;
                for (int i = 100; i < 600; i++) {
                    accepted += writer.offer(row(i)) ? 1 : 0;
                }
                assertThat(accepted).as("held, up to the bound").isEqualTo(200);
                assertThat(counter(LedgerWriter.DROPPED))
                        .as("exactly the rows past the bound")
                        .isEqualTo(300);
                assertThat(writer.held()).isEqualTo(200);
                await("a failed write", () -> counter(LedgerWriter.FAILURES) >= 2);
                assertThat(counter(LedgerWriter.WRITTEN)).isEqualTo(100);
                assertThat(metrics.gauge(LedgerWriter.HELD, null).getValue()).isEqualTo(200);

                server.start();
                await("the held rows written", () -> counter(LedgerWriter.WRITTEN) == 300);
                assertThat(writer.held()).isZero();
                assertThat(rows(database)).isEqualTo(300);

                writer.offer(row(1_000));
                await("writing resumed", () -> counter(LedgerWriter.WRITTEN) == 301);
                assertThat(counter(LedgerWriter.DROPPED)).isEqualTo(300);
            } finally {
                database.stop();
            }
        }
    }

    @Test
    void whileSqliteIsAwayRowsAreHeldThenDroppedAndWrittenWhenItComesBack() throws InterruptedException {
        var database = databases.get(DatabaseBackend.SQLITE);
        var open = new AtomicBoolean(false);
        start(new SwitchedSink(database.usage(), open), Duration.ofMillis(50), 50, 120);

        int accepted = 0;
        for (int i = 0; i < 1_000; i++) {
            accepted += writer.offer(row(i)) ? 1 : 0;
        }
        await("a failed write", () -> counter(LedgerWriter.FAILURES) >= 2);

        assertThat(accepted).isEqualTo(120);
        assertThat(counter(LedgerWriter.DROPPED)).isEqualTo(880);
        open.set(true);
        await("the held rows written", () -> counter(LedgerWriter.WRITTEN) == 120);
        assertThat(rows(database)).isEqualTo(120);
        assertThat(writer.held()).isZero();
    }

    @Test
    void aSlowDatabaseNeverSlowsTheCaller() throws InterruptedException {
        var database = databases.get(DatabaseBackend.SQLITE);
        var release = new CountDownLatch(1);
        start(
                rows -> {
                    release.await();
                    database.usage().insertAll(rows);
                },
                Duration.ofMillis(10),
                100,
                1_000);

        long began = System.nanoTime();
        int accepted = 0;
        for (int i = 0; i < 100_000; i++) {
            accepted += writer.offer(row(i)) ? 1 : 0;
        }
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);

        assertThat(tookMillis).as("100,000 offers while every insert hangs").isLessThan(2_000);
        assertThat(accepted).isEqualTo(1_000);
        assertThat(counter(LedgerWriter.DROPPED)).isEqualTo(99_000);
        release.countDown();
        await("the held rows written", () -> counter(LedgerWriter.WRITTEN) == 1_000);
        assertThat(rows(database)).isEqualTo(1_000);
    }

    @Test
    void stoppingGivesUpAfterTheTimeoutAndCountsWhatIsLost() throws InterruptedException {
        writer = new LedgerWriter(
                rows -> {
                    throw new SQLException("Connection refused");
                },
                new LedgerSettings(Duration.ofMillis(20), 10, 100, Duration.ofMillis(300)),
                metrics);
        writer.start();
        for (int i = 0; i < 30; i++) {
            writer.offer(row(i));
        }

        long began = System.nanoTime();
        writer.stop();

        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began)).isBetween(250L, 3_000L);
        assertThat(counter(LedgerWriter.DROPPED)).isEqualTo(30);
        assertThat(writer.held()).isZero();
        writer = null;
    }

    @Test
    void problemsAreLoggedAtMostOnceAMinute() throws InterruptedException {
        var logger = (Logger) LoggerFactory.getLogger(LedgerWriter.class);
        var logs = new ListAppender<ILoggingEvent>();
        logs.start();
        logger.addAppender(logs);
        var skew = new AtomicLong();
        var open = new AtomicBoolean(false);
        try {
            writer = new LedgerWriter(
                    new SwitchedSink(databases.get(DatabaseBackend.SQLITE).usage(), open),
                    new LedgerSettings(Duration.ofMillis(5), 10, 20, Duration.ofSeconds(5)),
                    metrics,
                    () -> System.nanoTime() + skew.get());
            // Offered before the writer starts, so its first (failing) write sees them all, whatever
            // the scheduling: 20 held, 80 dropped.
            for (int i = 0; i < 100; i++) {
                writer.offer(row(i));
            }
            writer.start();
            await("many failed writes", () -> counter(LedgerWriter.FAILURES) >= 20);
            assertThat(warnings(logs)).hasSize(1);
            assertThat(warnings(logs).get(0))
                    .contains(
                            "database writes failing",
                            "SQLException: [SQLITE_CANTOPEN]",
                            "20 row(s) held (at most 20)",
                            "80 dropped since the last report");

            skew.addAndGet(TimeUnit.SECONDS.toNanos(61));
            long failures = counter(LedgerWriter.FAILURES);
            await("more failed writes", () -> counter(LedgerWriter.FAILURES) >= failures + 20);
            assertThat(warnings(logs)).as("a minute later, one more").hasSize(2);
            assertThat(warnings(logs).get(1)).contains("0 dropped since the last report, 80 in all");
            open.set(true);
        } finally {
            logger.detachAppender(logs);
        }
    }

    private static List<String> warnings(ListAppender<ILoggingEvent> logs) {
        return logs.list.stream()
                .filter(event -> event.getLevel() == ch.qos.logback.classic.Level.WARN)
                .map(ILoggingEvent::getFormattedMessage)
                .toList();
    }
}
