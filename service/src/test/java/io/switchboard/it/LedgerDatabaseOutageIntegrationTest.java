package io.switchboard.it;

import com.openai.client.OpenAIClient;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.ResourceHelpers;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.switchboard.SwitchboardApplication;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.testing.PostgresServer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The usage ledger while its PostgreSQL server goes away mid-traffic and comes back: requests
 * are still answered, 200 and as fast as before (nothing on the request path waits on the
 * database); rows are held up to {@code ledger.maxHeldRows}, every row past the bound is dropped
 * and counted, exactly; the application log says so once, not once per row or per try; and when
 * the server is back the held rows are written by the same running gateway, so the ledger has
 * exactly the requests minus the dropped rows.
 *
 * <p>The cluster is this class's own ({@link PostgresServer#startNew()}): stopping it disturbs no
 * other test. It is closed after the gateway has stopped (the extensions' order).
 */
class LedgerDatabaseOutageIntegrationTest {

    /** {@code ledger.maxHeldRows} in ledger-outage-test-config.yml. */
    private static final int MAX_HELD = 50;

    private static final String LEDGER_LOGGER = "io.switchboard.usage.LedgerWriter";
    private static final String KEYS_LOGGER = "io.switchboard.core.KeyCache";
    private static final Duration DEADLINE = Duration.ofSeconds(20);

    private static final PostgresServer POSTGRES = PostgresServer.startNew();
    private static final String DATABASE = POSTGRES.createDatabase();
    private static final Path LOG = Path.of("target", "ledger-outage-test", "app-" + System.nanoTime() + ".log")
            .toAbsolutePath();

    @RegisterExtension
    @Order(1)
    static final AfterAllCallback CLOSE_POSTGRES = context -> POSTGRES.close();

    @RegisterExtension
    @Order(2)
    static final DropwizardAppExtension<SwitchboardConfiguration> APP = new DropwizardAppExtension<>(
            SwitchboardApplication.class,
            ResourceHelpers.resourceFilePath("ledger-outage-test-config.yml"),
            ConfigOverride.config("database.url", DATABASE),
            ConfigOverride.config("logging.appenders[1].currentLogFilename", LOG.toString()));

    private static final ChatCompletionCreateParams CHAT = ChatCompletionCreateParams.builder()
            .model("builtin/echo")
            .addUserMessage("ledger outage")
            .build();

    @Test
    void requestsFlowWhileTheDatabaseIsDownAndTheHeldRowsAreWrittenWhenItReturns() throws Exception {
        OpenAIClient client = GatewayFixture.openAi(APP);

        // Before: every row is written promptly. The later half of these requests is the baseline latency.
        var baseline = new ArrayList<Long>();
        for (int i = 0; i < 40; i++) {
            long millis = timedChat(client);
            if (i >= 20) {
                baseline.add(millis);
            }
        }
        int sent = 40;
        awaitTrue(
                "the first rows are written", () -> ledgerRows() == 40 && metric("switchboard_ledger_rows_held") == 0);

        // Traffic on its own thread; the database is stopped under it.
        var running = new AtomicBoolean(true);
        var down = new AtomicBoolean();
        var sentInTraffic = new AtomicInteger();
        var latencies = new CopyOnWriteArrayList<Long>();
        var failures = new CopyOnWriteArrayList<Throwable>();
        var traffic = new Thread(
                () -> {
                    while (running.get()) {
                        try {
                            boolean duringOutage = down.get();
                            long millis = timedChat(client);
                            if (duringOutage) {
                                latencies.add(millis);
                            }
                        } catch (Throwable e) {
                            failures.add(e);
                        } finally {
                            sentInTraffic.incrementAndGet();
                        }
                    }
                },
                "outage-traffic");
        traffic.start();
        awaitTrue("some traffic before the stop", () -> sentInTraffic.get() >= 10);
        long logBefore = logLines().size();
        POSTGRES.stop();
        down.set(true);
        int sentAtStop = sentInTraffic.get();
        // Once the server is down nothing more can be written: the metric is frozen from here on.
        long written = (long) metric("switchboard_ledger_rows_written_total");
        awaitTrue(
                "more than maxHeldRows requests after the stop",
                () -> sentInTraffic.get() >= sentAtStop + MAX_HELD + 20 || !traffic.isAlive());
        running.set(false);
        traffic.join(DEADLINE.toMillis());
        assertThat(traffic.isAlive()).isFalse();
        sent += sentInTraffic.get();

        assertThat(failures)
                .as("requests that were not answered 200 during the outage")
                .isEmpty();
        assertThat(metric("switchboard_ledger_rows_written_total"))
                .as("nothing written while the server is down")
                .isEqualTo(written);
        assertThat(metric("switchboard_ledger_write_failures_total"))
                .as("failed batch inserts")
                .isPositive();
        // A row is handed to the writer as its call ends, next to the answer: allow it a moment.
        long beyondBound = sent - written - MAX_HELD;
        awaitTrue(
                "every row past the bound counted",
                () -> metric("switchboard_ledger_rows_dropped_total") >= beyondBound);
        assertThat(metric("switchboard_ledger_rows_held"))
                .as("held: the bound, reached")
                .isEqualTo(MAX_HELD);
        double dropped = metric("switchboard_ledger_rows_dropped_total");
        assertThat(dropped)
                .as("dropped: every row past the bound, no more, no fewer")
                .isEqualTo(beyondBound)
                .isPositive();

        // Each further request while the bound is reached is one more dropped row, exactly.
        for (int i = 1; i <= 10; i++) {
            latencies.add(timedChat(client));
            sent++;
            double now = dropped + i;
            awaitTrue(
                    "the row of request " + i + " dropped",
                    () -> metric("switchboard_ledger_rows_dropped_total") >= now);
            assertThat(metric("switchboard_ledger_rows_dropped_total")).isEqualTo(now);
            assertThat(metric("switchboard_ledger_rows_held")).isEqualTo(MAX_HELD);
        }
        dropped += 10;

        // No added latency: the request path never waits on the database.
        long baselineMedian = percentile(baseline, 50);
        assertThat(percentile(latencies, 50))
                .as("median latency during the outage (baseline median %d ms): %s", baselineMedian, latencies)
                .isLessThanOrEqualTo(2 * baselineMedian + 20);
        assertThat(percentile(latencies, 90))
                .as("90th percentile latency during the outage, ms")
                .isLessThanOrEqualTo(Math.max(2 * percentile(baseline, 90), baselineMedian + 100));

        // The log: one line about the ledger, however many rows were dropped and tries failed; and
        // nothing else about the outage but the key poller's one line (no pool stack traces).
        var outageLog = entries(logLines().subList((int) logBefore, logLines().size()));
        assertThat(ledgerLines(outageLog))
                .as("ledger lines in the log during the outage:\n%s", String.join("\n", outageLog))
                .hasSize(1);
        assertThat(ledgerLines(outageLog).get(0))
                .startsWith("WARN")
                .contains("Usage ledger: database writes failing")
                .contains("(at most " + MAX_HELD + ")");
        assertThat(outageLog)
                .as("everything logged during the outage")
                .hasSizeLessThanOrEqualTo(2)
                .allMatch(
                        line -> line.contains("] " + LEDGER_LOGGER + ": ") || line.contains("] " + KEYS_LOGGER + ": "));

        // Back: the same gateway writes what it held, and nothing twice.
        POSTGRES.start();
        long back = System.nanoTime();
        long expected = sent - (long) dropped;
        awaitTrue(
                "the held rows written after the database returned",
                () -> metric("switchboard_ledger_rows_held") == 0 && ledgerRows() == expected);
        // The pool's defaults check a connection when it is borrowed (at most once a second): the
        // connections the stop cut are replaced at the next try, not after a pool timeout.
        assertThat(Duration.ofNanos(System.nanoTime() - back))
                .as("time to write the held rows once the server is back")
                .isLessThan(Duration.ofSeconds(5));
        assertThat(metric("switchboard_ledger_rows_written_total")).isEqualTo(expected);
        assertThat(distinctRequestIds()).as("each request at most once").isEqualTo(expected);
        assertThat(metric("switchboard_ledger_rows_dropped_total"))
                .as("nothing more dropped")
                .isEqualTo(dropped);

        // And the ledger goes on as before.
        for (int i = 0; i < 5; i++) {
            timedChat(client);
        }
        awaitTrue("new rows written again", () -> ledgerRows() == expected + 5);
        var wholeLog = entries(logLines().subList((int) logBefore, logLines().size()));
        assertThat(ledgerLines(wholeLog))
                .as("still one ledger line within the minute:\n%s", String.join("\n", wholeLog))
                .hasSize(1);
    }

    /** One chat through the SDK; fails unless it is answered 200 with the echo. Returns its latency in ms. */
    private static long timedChat(OpenAIClient client) {
        long start = System.nanoTime();
        try (var response = client.chat().completions().withRawResponse().create(CHAT)) {
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.parse().choices()).isNotEmpty();
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static long percentile(List<Long> values, int percent) {
        var sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(Math.min(sorted.size() - 1, sorted.size() * percent / 100));
    }

    private static long ledgerRows() {
        return count("SELECT COUNT(*) FROM usage_ledger");
    }

    private static long distinctRequestIds() {
        return count("SELECT COUNT(DISTINCT request_id) FROM usage_ledger");
    }

    /** A count from the database; -1 while it cannot be reached. */
    private static long count(String sql) {
        try (var connection = DriverManager.getConnection(DATABASE);
                var statement = connection.createStatement();
                var rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        } catch (SQLException e) {
            return -1;
        }
    }

    private static double metric(String name) {
        try {
            var response = GatewayFixture.HTTP.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + APP.getAdminPort() + "/metrics/prometheus"))
                            .timeout(Duration.ofSeconds(10))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            var metrics = PrometheusText.parse(response.body());
            assertThat(metrics.samples(name)).as(name).hasSize(1);
            return metrics.value(name, Map.of());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static List<String> logLines() throws java.io.IOException {
        return Files.exists(LOG) ? Files.readAllLines(LOG, StandardCharsets.UTF_8) : List.of();
    }

    /** The log without its blank lines: entries, and any stack trace's lines (each one counts). */
    private static List<String> entries(List<String> lines) {
        return lines.stream().filter(line -> !line.isBlank()).toList();
    }

    /** Lines the ledger writer logged (Dropwizard's layout: level, [time], logger: message). */
    private static List<String> ledgerLines(List<String> lines) {
        return lines.stream()
                .filter(line -> line.contains("] " + LEDGER_LOGGER + ": "))
                .toList();
    }

    private static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime())
                    .as("waited %s for: %s", DEADLINE, what)
                    .isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
