package io.switchboard.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.OpenAIServiceException;
import com.openai.errors.RateLimitException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import io.switchboard.SwitchboardApplication;
import io.switchboard.testing.Behavior;
import io.switchboard.testing.FakeUpstream;
import io.switchboard.testing.OpenAiWire;
import io.switchboard.testing.PostgresServer;
import io.switchboard.testing.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three gateways as one (issue 13): three separate JVMs running the application on one
 * PostgreSQL database and one Redis, a fake upstream on loopback, requests spread round-robin
 * with the official OpenAI SDK. A 60 RPM key admits 60 across the three; a budget stops on all
 * three within the stated overshoot; a revoked key is refused by all three within a second;
 * {@code kill -9} of one loses none of its flushed usage rows and the others keep serving; Redis
 * stopped and started again mid-traffic: the requests go on (fail open) and sharing comes back
 * without a restart.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** 120 prompt tokens (20 cached) and 30 output at the overridden prices: 575 micro-dollars a request. */
    private static final long COST = 575;

    private static final String COMPLETION = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,"
            + "\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"hi\"},"
            + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":120,\"completion_tokens\":30,"
            + "\"total_tokens\":150,\"prompt_tokens_details\":{\"cached_tokens\":20}}}";

    private static FakeUpstream upstream;
    private static RedisServer redis;
    private static String database;
    private static Path directory;
    private static final List<Instance> instances = new ArrayList<>();

    /** One gateway process. */
    private record Instance(Process process, int port, int adminPort, Path log) {

        String baseUrl() {
            return "http://127.0.0.1:" + port + "/v1";
        }

        OpenAIClient client(String key) {
            return OpenAIOkHttpClient.builder()
                    .baseUrl(baseUrl())
                    .apiKey(key)
                    .maxRetries(0)
                    .timeout(Duration.ofSeconds(10))
                    .build();
        }
    }

    @BeforeAll
    static void startCluster() throws Exception {
        upstream = GatewayFixture.startUpstream();
        upstream.on("POST", "/v1/chat/completions", Behavior.json(200, COMPLETION));
        redis = RedisServer.start();
        database = PostgresServer.shared().createDatabase();
        directory = Files.createTempDirectory("switchboard-cluster-");
        // The first one migrates the database; the other two start together once it is ready.
        instances.add(launch(0));
        awaitHealthy(instances.get(0));
        instances.add(launch(1));
        instances.add(launch(2));
        awaitHealthy(instances.get(1));
        awaitHealthy(instances.get(2));
    }

    @AfterAll
    static void stopCluster() throws Exception {
        for (Instance instance : instances) {
            instance.process().destroy();
        }
        for (Instance instance : instances) {
            if (!instance.process().waitFor(10, TimeUnit.SECONDS)) {
                instance.process().destroyForcibly();
            }
        }
        if (redis != null) {
            redis.close();
        }
        if (upstream != null) {
            upstream.close();
        }
        if (directory != null) {
            try (var paths = Files.walk(directory)) {
                for (Path path :
                        paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            }
        }
    }

    @Test
    @Order(1)
    void a60RpmKeyAdmits60AcrossAllThree() throws Exception {
        warmUp();
        String key = createKey("{\"name\":\"rpm\",\"rpm\":60}").get("key").asText();
        awaitKnownEverywhere(key); // one GET /v1/models admitted by each instance: 3 of the 60
        int probes = instances.size();
        var clients = instances.stream().map(instance -> instance.client(key)).toList();
        var admitted = new AtomicInteger();
        var refused = new AtomicInteger();
        var others = new ConcurrentHashMap<Integer, Integer>();
        ExecutorService pool = Executors.newFixedThreadPool(6);
        long start = System.nanoTime();
        try {
            var futures = new ArrayList<Future<?>>();
            for (int i = 0; i < 75; i++) {
                var client = clients.get(i % 3);
                futures.add(pool.submit(() -> {
                    try {
                        client.chat().completions().create(params(null));
                        admitted.incrementAndGet();
                    } catch (RateLimitException e) {
                        assertThat(e.code()).hasValue("rate_limit_exceeded");
                        refused.incrementAndGet();
                    } catch (OpenAIServiceException e) {
                        others.merge(e.statusCode(), 1, Integer::sum);
                    }
                }));
            }
            for (Future<?> future : futures) {
                future.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        long burstSeconds = (System.nanoTime() - start) / 1_000_000_000L;
        assertThat(others).isEmpty();
        // A minute's allowance in a burst, ±1; the bucket refills one request a second while the
        // burst lasts (under a second on a quiet machine).
        assertThat(probes + admitted.get()).as("burst of %d s", burstSeconds).isBetween(59, 61 + (int) burstSeconds);
        assertThat(refused.get()).isEqualTo(75 - admitted.get());
        // Requests that are not routed calls count in the same shared allowance: each instance
        // refuses a GET now, but for the one request a second the allowance refills.
        long checkStart = System.nanoTime();
        int admittedGets = 0;
        for (Instance instance : instances) {
            boolean refusedGet = false;
            for (int attempt = 0; attempt < 3 && !refusedGet; attempt++) {
                try {
                    instance.client(key).models().list();
                    admittedGets++;
                } catch (RateLimitException e) {
                    assertThat(e.code()).hasValue("rate_limit_exceeded");
                    refusedGet = true;
                }
            }
            assertThat(refusedGet)
                    .as("instance on %d refuses a GET over the limit", instance.port())
                    .isTrue();
        }
        long checkSeconds = (System.nanoTime() - checkStart) / 1_000_000_000L;
        assertThat(admittedGets).isLessThanOrEqualTo(2 + (int) checkSeconds);
    }

    /** A few calls through each instance first, so the burst below is not a cold JVM's. */
    private static void warmUp() throws Exception {
        String key = createKey("{\"name\":\"warm-up\",\"rpm\":100000,\"tpm\":100000000}")
                .get("key")
                .asText();
        awaitKnownEverywhere(key);
        for (Instance instance : instances) {
            var client = instance.client(key);
            for (int i = 0; i < 30; i++) {
                client.chat().completions().create(params(null));
            }
        }
    }

    /**
     * The stated bound (docs/configuration.md, cluster): a key's window stops at most {@code
     * limit − 1 + Σ actual cost of the requests in flight when the last one was admitted}; here
     * at most three are in flight (one per instance), each costing 575.
     */
    @Test
    @Order(2)
    void aBudgetStopsOnAllThreeWithinTheStatedOvershoot() throws Exception {
        var key = createKey("{\"name\":\"budget\",\"budget_usd\":\"0.01\",\"budget_period\":\"monthly\"}");
        String secret = key.get("key").asText();
        String id = key.get("id").asText();
        awaitKnownEverywhere(secret);
        var admitted = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            var futures = new ArrayList<Future<?>>();
            for (int t = 0; t < 3; t++) {
                var client = instances.get(t).client(secret);
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 40; i++) {
                        try {
                            client.chat().completions().create(params(null));
                            admitted.incrementAndGet();
                        } catch (RateLimitException e) {
                            assertThat(e.code()).hasValue("insufficient_quota");
                            return;
                        }
                    }
                }));
            }
            for (Future<?> future : futures) {
                future.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        // Every instance refuses it now.
        for (Instance instance : instances) {
            try {
                instance.client(secret).chat().completions().create(params(null));
                throw new AssertionError("instance on " + instance.port() + " admitted a spent key");
            } catch (RateLimitException e) {
                assertThat(e.code()).hasValue("insufficient_quota");
            }
        }
        long spent = awaitSpend(id, admitted.get() * COST);
        assertThat(spent).isGreaterThanOrEqualTo(10_000);
        assertThat(spent).as("overshoot within 3 requests in flight").isLessThanOrEqualTo(10_000 - 1 + 3 * COST);
        // Without shared counters each instance would have admitted its own 18.
        assertThat(admitted.get()).isLessThanOrEqualTo(20);
    }

    @Test
    @Order(3)
    void aRevokedKeyIsRefusedByAllThreeWithinASecond() throws Exception {
        var key = createKey("{\"name\":\"revoked\"}");
        String secret = key.get("key").asText();
        awaitKnownEverywhere(secret);
        long revokedAt = System.nanoTime();
        var revoked =
                admin(instances.get(1), "POST", "/api/keys/" + key.get("id").asText() + "/revoke", "");
        assertThat(revoked.statusCode()).isEqualTo(200);
        Set<Integer> refusing = new HashSet<>();
        var latest = new long[3];
        while (refusing.size() < 3
                && System.nanoTime() - revokedAt < Duration.ofSeconds(3).toNanos()) {
            for (int i = 0; i < 3; i++) {
                if (!refusing.contains(i) && refuses(instances.get(i), secret)) {
                    refusing.add(i);
                    latest[i] = (System.nanoTime() - revokedAt) / 1_000_000;
                }
            }
            Thread.sleep(25);
        }
        assertThat(refusing).containsExactlyInAnyOrder(0, 1, 2);
        for (long millis : latest) {
            assertThat(millis).as("refused after (ms)").isLessThan(1_000);
        }
    }

    @Test
    @Order(4)
    void killingOneInstanceUnderLoadLosesNoFlushedRowAndTheOthersKeepServing() throws Exception {
        String secret =
                createKey("{\"name\":\"load\",\"rpm\":100000}").get("key").asText();
        awaitKnownEverywhere(secret);
        // A routed call's RPM, taken in Redis with its other limits, is reported as OpenAI does.
        var raw = instances
                .get(0)
                .client(secret)
                .chat()
                .completions()
                .withRawResponse()
                .create(params(null));
        assertThat(raw.statusCode()).isEqualTo(200);
        assertThat(raw.headers().values("x-ratelimit-limit-requests")).containsExactly("100000");
        assertThat(Integer.parseInt(
                        raw.headers().values("x-ratelimit-remaining-requests").get(0)))
                .isBetween(99_900, 99_999); // this call taken (a request refills every 0.6 ms)
        assertThat(raw.headers().values("x-ratelimit-reset-requests")).hasSize(1);
        // A stream's response is begun by the relay, not Jersey: it carries them too.
        upstream.onNext(
                "POST",
                "/v1/chat/completions",
                Behavior.sse(OpenAiWire.chatStream("gpt-4o", List.of("streamed"), false), Duration.ZERO));
        try (var streamed = instances
                .get(0)
                .client(secret)
                .chat()
                .completions()
                .withRawResponse()
                .createStreaming(params(null))) {
            assertThat(streamed.statusCode()).isEqualTo(200);
            assertThat(streamed.headers().values("x-ratelimit-limit-requests")).containsExactly("100000");
            assertThat(streamed.headers().values("x-ratelimit-remaining-requests"))
                    .hasSize(1);
            try (var chunks = streamed.parse()) {
                assertThat(chunks.stream().count()).isPositive();
            }
        }
        var victim = instances.get(2);
        var served = new ConcurrentHashMap<String, Long>(); // request id → when its answer arrived
        var servedByVictim = new ConcurrentHashMap<String, Long>();
        var afterKill = new AtomicInteger();
        var killed = new AtomicBoolean();
        var failuresOfSurvivors = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        long killAt;
        try {
            var futures = new ArrayList<Future<?>>();
            for (int t = 0; t < 3; t++) {
                var instance = instances.get(t);
                var client = instance.client(secret);
                futures.add(pool.submit(() -> {
                    long until = System.nanoTime() + Duration.ofSeconds(4).toNanos();
                    while (System.nanoTime() < until) {
                        String id = "kill-" + UUID.randomUUID();
                        try {
                            client.chat().completions().create(params(id));
                            (instance == victim ? servedByVictim : served).put(id, System.nanoTime());
                            if (killed.get() && instance != victim) {
                                afterKill.incrementAndGet();
                            }
                        } catch (RuntimeException e) {
                            if (instance == victim) {
                                return; // it is gone
                            }
                            failuresOfSurvivors.incrementAndGet();
                        }
                    }
                }));
            }
            Thread.sleep(1_500);
            killAt = System.nanoTime();
            victim.process().destroyForcibly(); // kill -9
            killed.set(true);
            victim.process().waitFor(10, TimeUnit.SECONDS);
            for (Future<?> future : futures) {
                future.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(failuresOfSurvivors.get()).isZero();
        assertThat(afterKill.get())
                .as("requests the survivors served after the kill")
                .isGreaterThan(10);
        // Flushed: the ledger flushes every 50 ms; what the victim answered 500 ms before its death was written.
        var flushed = servedByVictim.entrySet().stream()
                .filter(entry ->
                        entry.getValue() < killAt - Duration.ofMillis(500).toNanos())
                .map(Map.Entry::getKey)
                .toList();
        assertThat(flushed).isNotEmpty();
        awaitRows(served.keySet());
        assertThat(missingRows(flushed)).as("the victim's flushed rows").isEmpty();
    }

    @Test
    @Order(5)
    void redisStoppedAndStartedMidTrafficFailsOpenAndRecoversWithoutARestart() throws Exception {
        var key = createKey("{\"name\":\"redis-outage\",\"rpm\":100000}");
        String secret = key.get("key").asText();
        String rpmCell = "sb:{" + key.get("id").asText() + "}:rpm";
        awaitKnownEverywhere(secret, instances.subList(0, 2));
        var survivors = instances.subList(0, 2);
        var failures = new AtomicInteger();
        var failed = new java.util.concurrent.ConcurrentLinkedQueue<String>();
        var served = new AtomicInteger();
        var stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            var futures = new ArrayList<Future<?>>();
            for (Instance instance : survivors) {
                var client = instance.client(secret);
                futures.add(pool.submit(() -> {
                    while (!stop.get()) {
                        try {
                            client.chat().completions().create(params(null));
                            served.incrementAndGet();
                        } catch (RuntimeException e) {
                            failures.incrementAndGet();
                            failed.add(e.toString());
                        }
                    }
                }));
            }
            Thread.sleep(500);
            assertThat(redis.command("EXISTS " + rpmCell)).isEqualTo(":1");
            redis.stop();
            int before = served.get();
            Thread.sleep(1_500);
            assertThat(served.get() - before).as("served while Redis was down").isGreaterThan(10);
            for (Instance instance : survivors) {
                var health = JSON.readTree(
                        admin(instance, "GET", "/healthcheck", null).body());
                assertThat(health.path("redis").path("healthy").asBoolean(true)).isFalse();
                assertThat(metric(instance, "switchboard_redis_fallbacks_total"))
                        .isGreaterThan(0);
            }
            redis.startAgain(); // empty, as after a crash without persistence
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!":1".equals(redis.command("EXISTS " + rpmCell)) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(redis.command("EXISTS " + rpmCell))
                    .as("limits shared again")
                    .isEqualTo(":1");
        } finally {
            stop.set(true); // the clients finish the request in hand; interrupting them would fail it
            pool.shutdown();
            pool.awaitTermination(20, TimeUnit.SECONDS);
        }
        assertThat(failures.get())
                .as("requests refused during the outage (policy open): %s", failed)
                .isZero();
        for (Instance instance : survivors) {
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            JsonNode health;
            do {
                health = JSON.readTree(
                        admin(instance, "GET", "/healthcheck", null).body());
                Thread.sleep(100);
            } while (!health.path("redis").path("healthy").asBoolean() && System.nanoTime() < deadline);
            assertThat(health.path("redis").path("healthy").asBoolean()).isTrue();
        }
    }

    // --- helpers ---

    private static ChatCompletionCreateParams params(String requestId) {
        var builder = ChatCompletionCreateParams.builder()
                .model("fake/gpt-4o")
                .maxTokens(30)
                .addUserMessage("hello");
        if (requestId != null) {
            builder.putAdditionalHeader("X-Request-Id", requestId);
        }
        return builder.build();
    }

    private static Instance launch(int n) throws IOException {
        int port = freePort();
        int adminPort = freePort();
        Path config = directory.resolve("gateway-" + n + ".yml");
        Files.writeString(config, """
                server:
                  applicationConnectors:
                    - type: http
                      bindHost: 127.0.0.1
                      port: %d
                  adminConnectors:
                    - type: http
                      bindHost: 127.0.0.1
                      port: %d
                  requestLog:
                    appenders: []
                logging:
                  level: WARN
                gateway:
                  requestTimeout: 10s
                  discoveryTimeout: 2s
                  refreshPeriod: 0s
                  localDiscovery:
                    enabled: false
                  resilience:
                    circuitBreaker:
                      enabled: false
                database:
                  url: "%s"
                ledger:
                  flushInterval: 50ms
                pricing:
                  overrides:
                    "fake/gpt-4o": {input: "2.50", output: "10.00", cachedRead: "1.25"}
                cluster:
                  redis:
                    uri: %s
                    # Far more than the 50 ms default: three JVMs and the test share two cores
                    # that other builds also use; a late answer would take the local limits.
                    timeout: 2s
                    failurePolicy: open
                providers:
                  - name: fake
                    type: openai
                    baseUrl: %s/v1
                    apiKey: sk-fake-upstream
                    discoverModels: false
                    models: [gpt-4o]
                """.formatted(port, adminPort, database, redis.uri(), upstream.baseUrl()));
        Path log = directory.resolve("gateway-" + n + ".log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var process = new ProcessBuilder(
                        java,
                        "-Xmx256m",
                        "-XX:+UseSerialGC",
                        "-XX:TieredStopAtLevel=1",
                        "-cp",
                        System.getProperty("java.class.path"),
                        SwitchboardApplication.class.getName(),
                        "server",
                        config.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        return new Instance(process, port, adminPort, log);
    }

    private static void awaitHealthy(Instance instance) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            if (!instance.process().isAlive()) {
                throw new AssertionError("gateway exited: " + Files.readString(instance.log()));
            }
            try {
                if (admin(instance, "GET", "/healthcheck", null).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("gateway did not start: " + Files.readString(instance.log()));
    }

    private static JsonNode createKey(String body) throws Exception {
        var response = admin(instances.get(0), "POST", "/api/keys", body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return JSON.readTree(response.body());
    }

    private static void awaitKnownEverywhere(String secret) throws Exception {
        awaitKnownEverywhere(secret, instances);
    }

    /** Until the key works on each instance (a new key reaches the others by their 250 ms poll). */
    private static void awaitKnownEverywhere(String secret, List<Instance> which) throws Exception {
        for (Instance instance : which) {
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (refuses(instance, secret)) {
                assertThat(System.nanoTime())
                        .as("key known on " + instance.port())
                        .isLessThan(deadline);
                Thread.sleep(50);
            }
        }
    }

    /** Whether the instance refuses the key (401); asks {@code GET /v1/models}, which spends no budget. */
    private static boolean refuses(Instance instance, String secret) {
        try {
            instance.client(secret).models().list();
            return false;
        } catch (UnauthorizedException e) {
            return true;
        }
    }

    private static HttpResponse<String> admin(Instance instance, String method, String path, String body)
            throws IOException, InterruptedException {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + instance.adminPort() + path))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        return GatewayFixture.HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static double metric(Instance instance, String name) throws Exception {
        String text = admin(instance, "GET", "/metrics/prometheus", null).body();
        double sum = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    /** The key's spend in the ledger, once it reaches {@code atLeast} (rows are written every 50 ms). */
    private static long awaitSpend(String keyId, long atLeast) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        long spent;
        do {
            spent = JSON.readTree(admin(instances.get(0), "GET", "/api/keys/" + keyId, null)
                            .body())
                    .get("spend_micros")
                    .asLong();
            Thread.sleep(50);
        } while (spent < atLeast && System.nanoTime() < deadline);
        return spent;
    }

    private static void awaitRows(Set<String> requestIds) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        List<String> missing = missingRows(requestIds);
        while (!missing.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
            missing = missingRows(requestIds);
        }
        assertThat(missing).as("rows of requests the survivors served").isEmpty();
    }

    private static List<String> missingRows(java.util.Collection<String> requestIds) throws Exception {
        var found = new HashSet<String>();
        try (var connection = DriverManager.getConnection(database);
                var statement = connection.createStatement();
                var rows =
                        statement.executeQuery("SELECT request_id FROM usage_ledger WHERE request_id LIKE 'kill-%'")) {
            while (rows.next()) {
                found.add(rows.getString(1));
            }
        }
        return requestIds.stream().filter(id -> !found.contains(id)).toList();
    }

    private static int freePort() throws IOException {
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
