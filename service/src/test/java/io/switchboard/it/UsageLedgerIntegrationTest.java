package io.switchboard.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.ResourceHelpers;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.switchboard.SwitchboardApplication;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.testing.Behavior;
import io.switchboard.testing.FakeUpstream;
import io.switchboard.testing.OpenAiWire;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The usage ledger and budgets against a real SQLite file, with fake upstreams that report known
 * usage: after a thousand mixed requests (JSON, streams, upstream errors, fallbacks, clients that
 * leave mid-stream) the ledger's token totals are what the upstreams reported, exactly, and its
 * costs are the price table's arithmetic; two hundred concurrent streams against one budget spend
 * no more than the stated bound; a revoked key is refused within a second.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class UsageLedgerIntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path DB =
            Path.of("target", "usage-ledger-" + System.nanoTime() + ".db").toAbsolutePath();
    private static final FakeUpstream UPSTREAM = GatewayFixture.startUpstream();
    private static final DropwizardAppExtension<SwitchboardConfiguration> APP = new DropwizardAppExtension<>(
            SwitchboardApplication.class,
            ResourceHelpers.resourceFilePath("usage-test-config.yml"),
            ConfigOverride.config("database.url", () -> "jdbc:sqlite:" + DB),
            ConfigOverride.config("providers[0].baseUrl", () -> UPSTREAM.baseUrl() + "/alpha/v1"),
            ConfigOverride.config("providers[1].baseUrl", () -> UPSTREAM.baseUrl() + "/beta/v1"),
            ConfigOverride.config("providers[2].baseUrl", () -> UPSTREAM.baseUrl() + "/slow/v1"),
            ConfigOverride.config("providers[3].baseUrl", () -> UPSTREAM.baseUrl() + "/flaky/v1"));

    /** What alpha reports for each JSON answer: prompt, completion, cached. */
    private static final long[] JSON_USAGE = {120, 30, 20};
    /** What beta reports at the end of each stream. */
    private static final long[] STREAM_USAGE = {50, 12, 0};
    /** $2.50 / $10.00 / $1.25 per million input, output, cached input tokens, as micro-dollars per million. */
    private static final long INPUT = 2_500_000;

    private static final long OUTPUT = 10_000_000;
    private static final long CACHED = 1_250_000;

    @BeforeAll
    static void script() throws Exception {
        UPSTREAM.on("POST", "/alpha/v1/chat/completions", Behavior.json(200, completion(JSON_USAGE)));
        UPSTREAM.on("POST", "/beta/v1/chat/completions", Behavior.sse(stream(10, STREAM_USAGE), Duration.ZERO));
        UPSTREAM.on(
                "POST", "/slow/v1/chat/completions", Behavior.sse(stream(100, STREAM_USAGE), Duration.ofMillis(50)));
        UPSTREAM.on(
                "POST",
                "/flaky/v1/chat/completions",
                Behavior.json(500, OpenAiWire.error("boom", "server_error", null, null)));
    }

    @AfterAll
    static void stopUpstream() throws Exception {
        UPSTREAM.close();
        Files.deleteIfExists(DB);
    }

    @Test
    void aThousandMixedRequestsLeaveExactlyWhatTheUpstreamsReportedInTheLedger() throws Exception {
        var key = createKey("{\"name\":\"ledger-test\",\"tags\":{\"team\":\"ledger\"}}");
        OpenAIClient client = client(key.get("key").asText());
        var counts = new AtomicInteger[5];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new AtomicInteger();
        }
        var failures = new CopyOnWriteArrayList<Throwable>();
        var pool = Executors.newFixedThreadPool(8);
        int total = 1000;
        var done = new CountDownLatch(total);
        for (int i = 0; i < total; i++) {
            int kind = switch (i % 10) {
                case 0, 1, 2, 3 -> 0; // JSON from alpha
                case 4, 5, 6 -> 1; // a stream from beta, usage not asked for by the client
                case 7 -> 2; // flaky fails twice, falls back to alpha
                case 8 -> 3; // the provider refuses the request (400): no retry, no tokens
                default -> 4; // a stream the client leaves after its first chunk
            };
            pool.execute(() -> {
                try {
                    run(kind, client, key.get("key").asText());
                    counts[kind].incrementAndGet();
                } catch (Throwable e) {
                    failures.add(e);
                } finally {
                    done.countDown();
                }
            });
        }
        assertThat(done.await(120, TimeUnit.SECONDS)).as("all requests done").isTrue();
        pool.shutdown();
        assertThat(failures).as("requests that did not go as scripted").isEmpty();

        String id = key.get("id").asText();
        awaitRows(id, total);
        try (var db = DriverManager.getConnection("jdbc:sqlite:" + DB);
                var query = db.prepareStatement(
                        "SELECT COUNT(*), SUM(prompt_tokens), SUM(completion_tokens),"
                                + " SUM(cached_read_tokens), SUM(cost_micros), COUNT(cost_micros),"
                                + " SUM(CASE WHEN status = 499 THEN 1 ELSE 0 END), SUM(CASE WHEN status = 400 THEN 1 ELSE 0 END),"
                                + " SUM(CASE WHEN streamed THEN 1 ELSE 0 END), SUM(attempts) FROM usage_ledger WHERE key_id = ?")) {
            query.setString(1, id);
            var rs = query.executeQuery();
            rs.next();
            long answeredJson = counts[0].get() + counts[2].get();
            long answeredStreams = counts[1].get();
            assertThat(rs.getLong(1)).as("one row per request").isEqualTo(total);
            assertThat(rs.getLong(2))
                    .as("prompt tokens")
                    .isEqualTo(answeredJson * JSON_USAGE[0] + answeredStreams * STREAM_USAGE[0]);
            assertThat(rs.getLong(3))
                    .as("completion tokens")
                    .isEqualTo(answeredJson * JSON_USAGE[1] + answeredStreams * STREAM_USAGE[1]);
            assertThat(rs.getLong(4))
                    .as("cached tokens")
                    .isEqualTo(answeredJson * JSON_USAGE[2] + answeredStreams * STREAM_USAGE[2]);
            assertThat(rs.getLong(5))
                    .as("cost, by the price table")
                    .isEqualTo(answeredJson * cost(JSON_USAGE) + answeredStreams * cost(STREAM_USAGE));
            assertThat(rs.getLong(6))
                    .as("rows with a known cost: all but the streams the client left")
                    .isEqualTo(total - counts[4].get());
            assertThat(rs.getLong(7)).as("clients that left").isEqualTo(counts[4].get());
            assertThat(rs.getLong(8)).as("refused upstream").isEqualTo(counts[3].get());
            assertThat(rs.getLong(9)).as("streamed").isEqualTo(counts[1].get() + counts[4].get());
            assertThat(rs.getLong(10))
                    .as("attempts: three for each fallback (two at flaky, one at alpha)")
                    .isEqualTo(total + 2L * counts[2].get());
        }
        // The admin API's report says the same.
        var report = JSON.readTree(admin("/api/usage?group_by=key&key=" + id).body());
        assertThat(report.get("data").get(0).get("requests").asLong()).isEqualTo(total);
        assertThat(report.get("data").get(0).get("cost_micros").asLong())
                .isEqualTo(
                        (counts[0].get() + counts[2].get()) * cost(JSON_USAGE) + counts[1].get() * cost(STREAM_USAGE));
    }

    @Test
    void twoHundredConcurrentStreamsStayWithinTheBudgetsStatedBound() throws Exception {
        long budget = 10_000; // one cent
        var key = createKey("{\"name\":\"budget-test\",\"budget_usd\":\"0.01\",\"budget_period\":\"daily\"}");
        var metricsBefore = PrometheusText.parse(admin("/metrics/prometheus").body());
        String secret = key.get("key").asText();
        // A prompt whose estimate (characters / 4) covers the 50 tokens beta reports, and a
        // max_tokens that covers its 12: every estimate covers its actual cost.
        String prompt = "x".repeat(220);
        String body = "{\"model\":\"beta/gpt-4o\",\"stream\":true,\"max_tokens\":12,\"messages\":[{\"role\":\"user\","
                + "\"content\":\"" + prompt + "\"}]}";
        var admitted = new AtomicInteger();
        var refused = new AtomicInteger();
        var other = new CopyOnWriteArrayList<String>();
        var start = new CountDownLatch(1);
        var pool = Executors.newFixedThreadPool(200);
        var done = new CountDownLatch(200);
        for (int i = 0; i < 200; i++) {
            pool.execute(() -> {
                try {
                    start.await();
                    var response = GatewayFixture.HTTP.send(
                            HttpRequest.newBuilder(URI.create(GatewayFixture.baseUrl(APP) + "/v1/chat/completions"))
                                    .header("Authorization", "Bearer " + secret)
                                    .header("Content-Type", "application/json")
                                    .timeout(Duration.ofSeconds(30))
                                    .POST(HttpRequest.BodyPublishers.ofString(body))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() == 200 && response.body().contains("[DONE]")) {
                        admitted.incrementAndGet();
                    } else if (response.statusCode() == 429 && response.body().contains("\"insufficient_quota\"")) {
                        refused.incrementAndGet();
                    } else {
                        other.add(response.statusCode() + " " + response.body());
                    }
                } catch (Exception e) {
                    other.add(e.toString());
                } finally {
                    done.countDown();
                }
            });
        }
        start.countDown();
        assertThat(done.await(60, TimeUnit.SECONDS)).isTrue();
        pool.shutdown();
        assertThat(other).isEmpty();
        assertThat(admitted.get()).as("some were served").isPositive();
        assertThat(refused.get()).as("the rest were refused for quota").isEqualTo(200 - admitted.get());

        String id = key.get("id").asText();
        awaitRows(id, 200);
        long spent = spend(id);
        long perRequest = cost(STREAM_USAGE);
        long estimate = (long) Math.ceil((CostEstimatorPrompt.tokens(prompt) * INPUT + 12 * OUTPUT) / 1e6);
        assertThat(spent).as("exactly what the admitted streams cost").isEqualTo(admitted.get() * perRequest);
        assertThat(spent)
                .as("overshoot within the bound: one estimate past the budget")
                .isLessThanOrEqualTo(budget + estimate);
        // And the next request is refused with OpenAI's quota error, naming the budget and its reset.
        var next = GatewayFixture.HTTP.send(
                HttpRequest.newBuilder(URI.create(GatewayFixture.baseUrl(APP) + "/v1/chat/completions"))
                        .header("Authorization", "Bearer " + secret)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(next.statusCode()).isEqualTo(429);
        var error = JSON.readTree(next.body()).get("error");
        assertThat(error.get("type").asText()).isEqualTo("insufficient_quota");
        assertThat(error.get("code").asText()).isEqualTo("insufficient_quota");
        assertThat(error.get("message").asText()).contains("$0.01 per day").contains("resets at");
        assertThat(next.headers().firstValue("Retry-After")).isPresent();
        // Requests the budget refused before routing them are counted with the served ones, by status.
        var metricsAfter = PrometheusText.parse(admin("/metrics/prometheus").body());
        assertThat(metricsAfter.since(metricsBefore, "switchboard_requests_total", chatStatus("200")))
                .isEqualTo(admitted.get());
        assertThat(metricsAfter.since(metricsBefore, "switchboard_requests_total", chatStatus("429")))
                .isEqualTo(refused.get() + 1);
    }

    private static Map<String, String> chatStatus(String status) {
        return Map.of("endpoint", "/v1/chat/completions", "status", status);
    }

    @Test
    void aRevokedKeyIsRefusedWithinASecond() throws Exception {
        var key = createKey("{\"name\":\"revoke-test\"}");
        String secret = key.get("key").asText();
        assertThat(models(secret)).isEqualTo(200);

        var revoked = adminPost("/api/keys/" + key.get("id").asText() + "/revoke", "");
        assertThat(revoked.statusCode()).isEqualTo(200);
        long since = System.nanoTime();
        while (models(secret) != 401) {
            assertThat(System.nanoTime() - since).as("refused within a second").isLessThan(1_000_000_000L);
            Thread.sleep(20);
        }
        assertThat(JSON.readTree(revoked.body()).get("revoked_at").isNull()).isFalse();
    }

    // --- what each kind of request does ---

    private static void run(int kind, OpenAIClient client, String secret) throws Exception {
        switch (kind) {
            case 0 -> {
                var completion = client.chat().completions().create(params("alpha/gpt-4o"));
                assertThat(completion.usage()).isPresent();
                assertThat(completion.usage().get().promptTokens()).isEqualTo(JSON_USAGE[0]);
            }
            case 1 -> {
                var chunks = new ArrayList<ChatCompletionChunk>();
                try (var stream = client.chat().completions().createStreaming(params("beta/gpt-4o"))) {
                    stream.stream().forEach(chunks::add);
                }
                assertThat(chunks).as("a full stream").hasSizeGreaterThan(5);
                assertThat(chunks)
                        .as("no usage the client did not ask for")
                        .allSatisfy(chunk -> assertThat(chunk.usage()).isEmpty());
            }
            case 2 -> {
                var completion = client.chat().completions().create(params("fallback"));
                assertThat(completion.model()).isEqualTo("fallback");
            }
            case 3 -> {
                var response = GatewayFixture.HTTP.send(
                        HttpRequest.newBuilder(URI.create(GatewayFixture.baseUrl(APP) + "/v1/images/generations"))
                                .header("Authorization", "Bearer " + secret)
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(
                                        "{\"model\":\"builtin/image\",\"prompt\":\"a cat\"," + "\"size\":\"0x0\"}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
            }
            default -> leaveAfterTheFirstChunk(secret);
        }
    }

    /** A raw client that reads the first event of a slow stream, then hangs up. */
    private static void leaveAfterTheFirstChunk(String secret) throws Exception {
        String body =
                "{\"model\":\"slow/gpt-4o\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        URI base = URI.create(GatewayFixture.baseUrl(APP));
        try (var socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(10_000);
            var out = socket.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: " + base.getHost() + "\r\nAuthorization: Bearer "
                            + secret + "\r\nContent-Type: application/json\r\nContent-Length: "
                            + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body)
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            var in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            String line;
            int events = 0;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("data: {") && ++events == 2) {
                    break; // past the opener: the stream has started; leave
                }
            }
            assertThat(events).as("the stream started").isEqualTo(2);
        }
    }

    // --- helpers ---

    private static ChatCompletionCreateParams params(String model) {
        return ChatCompletionCreateParams.builder()
                .model(model)
                .addUserMessage("hello there")
                .build();
    }

    private static OpenAIClient client(String key) {
        return OpenAIOkHttpClient.builder()
                .baseUrl(GatewayFixture.baseUrl(APP) + "/v1")
                .apiKey(key)
                .maxRetries(0)
                .timeout(Duration.ofSeconds(20))
                .build();
    }

    /** The cost of one request by the price table's arithmetic: micro-dollars, half up. */
    private static long cost(long[] usage) {
        BigDecimal picos = BigDecimal.valueOf(usage[0] - usage[2])
                .multiply(BigDecimal.valueOf(INPUT))
                .add(BigDecimal.valueOf(usage[2]).multiply(BigDecimal.valueOf(CACHED)))
                .add(BigDecimal.valueOf(usage[1]).multiply(BigDecimal.valueOf(OUTPUT)));
        return picos.divide(BigDecimal.valueOf(1_000_000), 0, RoundingMode.HALF_UP)
                .longValueExact();
    }

    private static String completion(long[] usage) {
        ObjectNode body = (ObjectNode) parse(OpenAiWire.chatCompletion("gpt-4o", "hello from alpha"));
        body.set("usage", usage(usage));
        return body.toString();
    }

    /** A chat stream of {@code pieces} chunks that ends with a usage chunk, as with include_usage. */
    private static List<String> stream(int pieces, long[] usage) {
        var frames = new ArrayList<String>();
        for (String frame : OpenAiWire.chatStream("gpt-4o", java.util.Collections.nCopies(pieces, "word "), true)) {
            if (frame.startsWith("data: {") && frame.contains("\"choices\":[]")) {
                ObjectNode chunk =
                        (ObjectNode) parse(frame.substring("data: ".length()).strip());
                chunk.set("usage", usage(usage));
                frames.add("data: " + chunk + "\n\n");
            } else {
                frames.add(frame);
            }
        }
        return frames;
    }

    private static ObjectNode usage(long[] usage) {
        ObjectNode node = JSON.createObjectNode();
        node.put("prompt_tokens", usage[0]);
        node.put("completion_tokens", usage[1]);
        node.put("total_tokens", usage[0] + usage[1]);
        node.putObject("prompt_tokens_details").put("cached_tokens", usage[2]);
        node.putObject("completion_tokens_details").put("reasoning_tokens", 0);
        return node;
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode createKey(String body) throws Exception {
        var response = adminPost("/api/keys", body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return JSON.readTree(response.body());
    }

    private static HttpResponse<String> adminPost(String path, String body) throws Exception {
        return GatewayFixture.HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + APP.getAdminPort() + path))
                        .header("Content-Type", "application/json")
                        .timeout(Duration.ofSeconds(10))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> admin(String path) throws Exception {
        return GatewayFixture.HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + APP.getAdminPort() + path))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static int models(String secret) throws Exception {
        return GatewayFixture.HTTP
                .send(
                        HttpRequest.newBuilder(URI.create(GatewayFixture.baseUrl(APP) + "/v1/models"))
                                .header("Authorization", "Bearer " + secret)
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .statusCode();
    }

    private static void awaitRows(String keyId, long expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        long rows = -1;
        while (System.nanoTime() < deadline) {
            try (var db = DriverManager.getConnection("jdbc:sqlite:" + DB);
                    var query = db.prepareStatement("SELECT COUNT(*) FROM usage_ledger WHERE key_id = ?")) {
                query.setString(1, keyId);
                var rs = query.executeQuery();
                rs.next();
                rows = rs.getLong(1);
            }
            if (rows >= expected) {
                return;
            }
            Thread.sleep(50);
        }
        assertThat(rows).as("ledger rows written").isEqualTo(expected);
    }

    private static long spend(String keyId) throws Exception {
        try (var db = DriverManager.getConnection("jdbc:sqlite:" + DB);
                var query = db.prepareStatement(
                        "SELECT COALESCE(SUM(cost_micros), 0) FROM usage_ledger WHERE key_id = ?")) {
            query.setString(1, keyId);
            var rs = query.executeQuery();
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The estimator's prompt count, written out here so the bound is computed independently. */
    private static final class CostEstimatorPrompt {
        static long tokens(String text) {
            return io.switchboard.usage.CostEstimator.promptTokens(List.of(text));
        }
    }
}
