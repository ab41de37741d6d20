package io.switchboard.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every fault a provider can throw at the gateway, with its defined outcome: what the client
 * sees, how many attempts each upstream got, what the metrics say, and that connections and
 * threads go back to their baseline.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class ResilienceIntegrationTest {

    private static final String CHAT = "/v1/chat/completions";
    private static final FakeUpstream PRIMARY = GatewayFixture.startUpstream();
    private static final FakeUpstream SECONDARY = GatewayFixture.startUpstream();
    private static final DropwizardAppExtension<SwitchboardConfiguration> APP = new DropwizardAppExtension<>(
            SwitchboardApplication.class,
            ResourceHelpers.resourceFilePath("resilience-config.yml"),
            ConfigOverride.config("providers[0].baseUrl", () -> PRIMARY.baseUrl() + "/v1"),
            ConfigOverride.config("providers[1].baseUrl", () -> SECONDARY.baseUrl() + "/v1"),
            ConfigOverride.config("providers[3].baseUrl", () -> PRIMARY.baseUrl() + "/flaky/v1"));
    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        PRIMARY.on("GET", "/flaky/v1/models", Behavior.json(200, OpenAiWire.models("gpt-4o")));
    }

    private double baselineThreads;

    @BeforeEach
    void baseline() throws Exception {
        // Each provider's selector runs on the shared upstream pool: that is the baseline, not 0.
        baselineThreads = busyThreads(PrometheusText.parse(scrape()));
        script();
    }

    void script() {
        for (FakeUpstream upstream : List.of(PRIMARY, SECONDARY)) {
            upstream.reset();
            GatewayFixture.listModels(upstream);
            upstream.on(
                    "POST",
                    CHAT,
                    Behavior.json(
                            200,
                            OpenAiWire.chatCompletion(
                                    "gpt-4o", "from " + (upstream == PRIMARY ? "primary" : "secondary"))));
        }
        PRIMARY.on("GET", "/flaky/v1/models", Behavior.json(200, OpenAiWire.models("gpt-4o")));
    }

    @AfterEach
    void connectionsAndThreadsReturnToBaseline() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        PrometheusText metrics = PrometheusText.parse(scrape());
        while ((activeConnections(metrics) > 0 || busyThreads(metrics) > baselineThreads)
                && System.nanoTime() < deadline) {
            Thread.sleep(50);
            metrics = PrometheusText.parse(scrape());
        }
        assertThat(activeConnections(metrics))
                .as("upstream connections still lent out")
                .isZero();
        assertThat(busyThreads(metrics)).as("upstream threads still busy").isLessThanOrEqualTo(baselineThreads);
        assertThat(metrics.sum("switchboard_upstream_in_flight", Map.of("provider", "primary")))
                .isZero();
        assertThat(metrics.sum("switchboard_upstream_in_flight", Map.of("provider", "secondary")))
                .isZero();
    }

    @AfterAll
    static void stopUpstreams() {
        PRIMARY.close();
        SECONDARY.close();
    }

    /** What the route log wrote during this class's tests. */
    private static final ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> ROUTE_LOG =
            new ch.qos.logback.core.read.ListAppender<>();

    @BeforeAll
    static void captureRouteLog() {
        var logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.switchboard.core.RouteLog");
        ROUTE_LOG.start();
        logger.addAppender(ROUTE_LOG);
    }

    private static List<String> routeLog() {
        synchronized (ROUTE_LOG) {
            return ROUTE_LOG.list.stream()
                    .map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                    .toList();
        }
    }

    @Test
    void connectionRefusedIsRetriedThenFallsBack() throws Exception {
        var response = chat("deadfirst");
        String id = response.headers().firstValue("x-request-id").orElseThrow();
        assertThat(routeLog())
                .as("one line per failed attempt, naming the request")
                .anySatisfy(line ->
                        assertThat(line).startsWith("Request " + id + ": attempt 1 at dead/gpt-4o failed (connect): "))
                .anySatisfy(line ->
                        assertThat(line).startsWith("Request " + id + ": attempt 2 at dead/gpt-4o failed (connect): "));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(content(response)).isEqualTo("from secondary");
        assertThat(response.headers().firstValue("x-switchboard-attempts")).contains("3");
        assertThat(response.headers().firstValue("x-switchboard-provider")).contains("secondary");
        var metrics = PrometheusText.parse(scrape());
        assertThat(metrics.value("switchboard_route_retries_total", Map.of("provider", "dead", "kind", "connect")))
                .isGreaterThanOrEqualTo(1);
        assertThat(metrics.value(
                        "switchboard_route_fallbacks_total",
                        Map.of("from", "dead", "to", "secondary", "kind", "connect")))
                .isGreaterThanOrEqualTo(1);
    }

    @Test
    void slowHeadersBeyondTheReadTimeoutAreRetriedThenFallBack() throws Exception {
        PRIMARY.on(
                "POST",
                CHAT,
                Behavior.delay(
                        Duration.ofSeconds(5), Behavior.json(200, OpenAiWire.chatCompletion("gpt-4o", "too late"))));

        long start = System.nanoTime();
        var response = chat("smart");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(content(response)).isEqualTo("from secondary");
        assertThat(PRIMARY.count(CHAT)).isEqualTo(2);
        assertThat(SECONDARY.count(CHAT)).isEqualTo(1);
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .isBetween(Duration.ofMillis(1900), Duration.ofMillis(2900));
    }

    @Test
    void serverErrorsAreRetriedThenFallBack() throws Exception {
        for (int status : new int[] {500, 503}) {
            script();
            PRIMARY.on("POST", CHAT, Behavior.json(status, OpenAiWire.error("boom", "server_error", null, null)));

            var response = chat("smart");

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(content(response)).isEqualTo("from secondary");
            assertThat(PRIMARY.count(CHAT))
                    .as("attempts at primary after %s", status)
                    .isEqualTo(2);
            assertThat(SECONDARY.count(CHAT)).isEqualTo(1);
        }
    }

    @Test
    void retryAfterIsHonouredWhenItFits() throws Exception {
        PRIMARY.onNext(
                "POST",
                CHAT,
                Behavior.json(
                        429,
                        OpenAiWire.error("Slow down", "requests", null, "rate_limit_exceeded"),
                        Map.of("Retry-After", "1")));

        long start = System.nanoTime();
        var response = chat("smart");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(content(response)).isEqualTo("from primary");
        assertThat(response.headers().firstValue("x-switchboard-attempts")).contains("2");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(1000));
        assertThat(SECONDARY.count(CHAT)).isZero();
    }

    @Test
    void retryAfterBeyondTheDeadlineFallsBackAtOnce() throws Exception {
        PRIMARY.on(
                "POST",
                CHAT,
                Behavior.json(
                        429,
                        OpenAiWire.error("Slow down", "requests", null, "rate_limit_exceeded"),
                        Map.of("Retry-After", "30")));

        long start = System.nanoTime();
        var response = chat("smart");

        assertThat(content(response)).isEqualTo("from secondary");
        assertThat(PRIMARY.count(CHAT)).isEqualTo(1);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1000));
    }

    @Test
    void lastRateLimitIsPassedOnWithItsRetryAfter() throws Exception {
        for (FakeUpstream upstream : List.of(PRIMARY, SECONDARY)) {
            upstream.on(
                    "POST",
                    CHAT,
                    Behavior.json(
                            429,
                            OpenAiWire.error("Slow down", "requests", null, "rate_limit_exceeded"),
                            Map.of("Retry-After", "20")));
        }

        var response = chat("smart");

        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(response.headers().firstValue("retry-after")).contains("20");
        assertThat(error(response).get("code").asText()).isEqualTo("rate_limit_exceeded");
    }

    @Test
    void clientErrorsAreNeitherRetriedNorPassedOn() throws Exception {
        PRIMARY.on(
                "POST",
                CHAT,
                Behavior.json(400, OpenAiWire.error("Bad logit_bias", "invalid_request_error", "logit_bias", null)));

        var response = chat("smart");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(error(response).get("param").asText()).isEqualTo("logit_bias");
        assertThat(PRIMARY.count(CHAT)).isEqualTo(1);
        assertThat(SECONDARY.count(CHAT)).isZero();
    }

    @Test
    void authenticationFailureFallsBackWithoutRetrying() throws Exception {
        PRIMARY.on(
                "POST",
                CHAT,
                Behavior.json(
                        401, OpenAiWire.error("Incorrect API key", "invalid_request_error", null, "invalid_api_key")));

        var response = chat("smart");

        assertThat(content(response)).isEqualTo("from secondary");
        assertThat(PRIMARY.count(CHAT)).isEqualTo(1);
    }

    @Test
    void malformedJsonFallsBackWithoutRetrying() throws Exception {
        PRIMARY.on("POST", CHAT, Behavior.malformed());

        var response = chat("smart");

        assertThat(content(response)).isEqualTo("from secondary");
        assertThat(PRIMARY.count(CHAT)).isEqualTo(1);
    }

    @Test
    void everyCandidateFailingGivesTheLastError() throws Exception {
        PRIMARY.on("POST", CHAT, Behavior.json(503, OpenAiWire.error("down", "server_error", null, null)));
        SECONDARY.on("POST", CHAT, Behavior.json(502, OpenAiWire.error("bad gateway", "server_error", null, null)));

        var response = chat("smart");

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(error(response).get("message").asText()).startsWith("secondary: ");
        assertThat(PRIMARY.count(CHAT) + SECONDARY.count(CHAT)).isEqualTo(4);
        assertThat(response.headers().firstValue("x-switchboard-attempts"))
                .as("a failure says so too")
                .contains("4");
    }

    @Test
    void theDeadlineBoundsAllAttempts() throws Exception {
        PRIMARY.on("POST", CHAT, Behavior.hang());
        SECONDARY.on("POST", CHAT, Behavior.hang());

        long start = System.nanoTime();
        var response = chat("smart");

        assertThat(response.statusCode()).isIn(504);
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .isBetween(Duration.ofMillis(2500), Duration.ofMillis(4000));
    }

    @Test
    void streamThatFailsBeforeItsFirstEventFallsBackTransparently() throws Exception {
        PRIMARY.on("POST", CHAT, Behavior.json(503, OpenAiWire.error("Overloaded", "server_error", null, null)));
        SECONDARY.on(
                "POST",
                CHAT,
                Behavior.sse(
                        OpenAiWire.chatStream("gpt-4o", List.of("from", " secondary"), false), Duration.ofMillis(10)));

        var response = stream("smart");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body())
                .contains("\"content\":\"from\"")
                .endsWith("data: [DONE]\n\n")
                .doesNotContain("error");
        assertThat(response.headers().firstValue("x-switchboard-provider")).contains("secondary");
        assertThat(PRIMARY.count(CHAT)).isEqualTo(2);
    }

    @Test
    void streamCutAfterTheFirstEventsEndsWithAnErrorEventAndDone() throws Exception {
        PRIMARY.on(
                "POST",
                CHAT,
                Behavior.sseThenCut(
                        OpenAiWire.chatStream("gpt-4o", List.of("a", "b", "c"), false), Duration.ofMillis(10), 2));

        var response = stream("smart");

        String[] events = response.body().split("\n\n");
        assertThat(events[events.length - 2]).startsWith("data: {\"error\"");
        assertThat(events[events.length - 1]).isEqualTo("data: [DONE]");
        assertThat(PRIMARY.count(CHAT)).as("no retry after the commit point").isEqualTo(1);
        assertThat(SECONDARY.count(CHAT)).isZero();
    }

    @Test
    void streamClosedCleanlyBeforeItsEndIsReportedAsCutShort() throws Exception {
        // The opener and two chunks, then a clean close: no finish reason, no [DONE].
        var frames =
                OpenAiWire.chatStream("gpt-4o", List.of("a", "b", "c"), false).subList(0, 3);
        PRIMARY.on("POST", CHAT, Behavior.sse(frames, Duration.ofMillis(10)));

        var response = stream("smart");

        String[] events = response.body().split("\n\n");
        assertThat(events[events.length - 2])
                .startsWith("data: {\"error\"")
                .contains("upstream_malformed_response")
                .contains("cut short");
        assertThat(events[events.length - 1]).isEqualTo("data: [DONE]");
        assertThat(response.body()).contains("\"content\":\"b\"");
    }

    @Test
    void stalledStreamEndsAfterTheIdleTimeout() throws Exception {
        PRIMARY.on(
                "POST",
                CHAT,
                Behavior.sseThenStall(
                        OpenAiWire.chatStream("gpt-4o", List.of("a", "b"), false), Duration.ofMillis(10), 2));

        long start = System.nanoTime();
        var response = stream("smart");

        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .isBetween(Duration.ofMillis(900), Duration.ofMillis(2500));
        String body = response.body();
        assertThat(body)
                .contains(": keep-alive")
                .contains("No event from primary for 1 s")
                .endsWith("data: [DONE]\n\n");
        assertThat(PRIMARY.awaitClientDisconnect(Duration.ofSeconds(3)))
                .as("the upstream call was aborted")
                .isTrue();
    }

    @Test
    void clientThatLeavesMidStreamAbortsTheUpstream() throws Exception {
        PRIMARY.on(
                "POST",
                CHAT,
                Behavior.sseThenStall(
                        OpenAiWire.chatStream("gpt-4o", List.of("a", "b"), false), Duration.ofMillis(10), 2));
        int before = PRIMARY.clientDisconnects();
        String body = "{\"model\":\"smart\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

        try (var socket = new Socket("127.0.0.1", APP.getLocalPort())) {
            socket.getOutputStream()
                    .write(("POST " + CHAT + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                    + "Content-Length: " + body.length() + "\r\n\r\n" + body)
                            .getBytes(StandardCharsets.UTF_8));
            var reader = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = reader.readLine()) != null && !line.startsWith("data: ")) {
                // headers, then the first event
            }
            assertThat(line).startsWith("data: ");
        }

        long start = System.nanoTime();
        assertThat(PRIMARY.awaitClientDisconnects(before + 1, Duration.ofSeconds(3)))
                .isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .as("within a heartbeat or two")
                .isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void heartbeatCommentsOnAQuietStreamDoNotDisturbTheSdk() {
        // Chunks 450 ms apart with a 200 ms heartbeat: keep-alive comments fall between them.
        PRIMARY.on(
                "POST",
                CHAT,
                Behavior.sse(
                        OpenAiWire.chatStream("gpt-4o", List.of("slow", " but", " fine"), false),
                        Duration.ofMillis(450)));
        var text = new StringBuilder();

        try (var stream = GatewayFixture.openAi(APP)
                .chat()
                .completions()
                .createStreaming(com.openai.models.chat.completions.ChatCompletionCreateParams.builder()
                        .model("primary/gpt-4o")
                        .addUserMessage("hi")
                        .build())) {
            stream.stream()
                    .forEach(chunk ->
                            chunk.choices().forEach(c -> c.delta().content().ifPresent(text::append)));
        }

        assertThat(text.toString()).isEqualTo("slow but fine");
    }

    @Test
    void breakerOpensThenSkipsTheProviderThenProbesItAgain() throws Exception {
        String flaky = "/flaky/v1/chat/completions";
        PRIMARY.on("POST", flaky, Behavior.json(500, OpenAiWire.error("boom", "server_error", null, null)));

        for (int i = 0; i < 4; i++) {
            assertThat(content(chat("flakyfirst"))).isEqualTo("from secondary");
        }
        assertThat(PRIMARY.count(flaky)).isEqualTo(4);
        assertThat(breakerState("flaky")).isEqualTo("open");

        var skipped = chat("flakyfirst");
        assertThat(content(skipped)).isEqualTo("from secondary");
        assertThat(skipped.headers().firstValue("x-switchboard-attempts")).contains("1");
        assertThat(PrometheusText.parse(scrape())
                        .value(
                                "switchboard_route_fallbacks_total",
                                Map.of("from", "flaky", "to", "secondary", "kind", "circuit_open")))
                .as("the skip is counted")
                .isEqualTo(1);
        assertThat(PRIMARY.count(flaky))
                .as("an open breaker skips the provider")
                .isEqualTo(4);
        var health = JSON.readTree(admin("/healthcheck").body()).get("provider-flaky");
        assertThat(health.get("circuit_breaker").asText()).isEqualTo("open");

        // Every candidate open: rather than fail at once, try the likeliest.
        var alone = GatewayFixture.postJson(APP, CHAT, body("flaky/gpt-4o", false));
        assertThat(alone.statusCode()).isEqualTo(502);
        assertThat(PRIMARY.count(flaky)).isEqualTo(5);

        Thread.sleep(1600);
        PRIMARY.on("POST", flaky, Behavior.json(200, OpenAiWire.chatCompletion("gpt-4o", "flaky is back")));
        assertThat(content(chat("flakyfirst"))).isEqualTo("flaky is back");
        assertThat(breakerState("flaky")).isEqualTo("closed");
        assertThat(routeLog())
                .as("each breaker transition is logged")
                .contains(
                        "Circuit breaker of provider flaky: CLOSED -> OPEN",
                        "Circuit breaker of provider flaky: OPEN -> HALF_OPEN",
                        "Circuit breaker of provider flaky: HALF_OPEN -> CLOSED");
    }

    @Test
    void weightedGroupSplitsTrafficByWeight() throws Exception {
        int total = 200;
        for (int i = 0; i < total; i++) {
            assertThat(chat("balanced").statusCode()).isEqualTo(200);
        }

        double primaryShare = PRIMARY.count(CHAT) / (double) total;
        assertThat(primaryShare).as("weight 3 of 4").isBetween(0.63, 0.87);
        assertThat(PRIMARY.count(CHAT) + SECONDARY.count(CHAT)).isEqualTo(total);
    }

    @Test
    void leastBusyGroupAvoidsTheProviderWithAStreamOpen() throws Exception {
        PRIMARY.on(
                "POST",
                CHAT,
                Behavior.sse(
                        OpenAiWire.chatStream("gpt-4o", List.of("a", "b", "c", "d"), false), Duration.ofMillis(300)));
        var open = GatewayFixture.HTTP.sendAsync(
                HttpRequest.newBuilder(URI.create(GatewayFixture.baseUrl(APP) + CHAT))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body("busy", true)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        Thread.sleep(200);

        var response = chat("busy");

        // Straight to secondary: had it gone to primary first, primary's stream body would have
        // been refused as malformed and the answer would still come from secondary, on attempt 2.
        assertThat(content(response)).isEqualTo("from secondary");
        assertThat(response.headers().firstValue("x-switchboard-attempts")).contains("1");
        assertThat(PRIMARY.count(CHAT))
                .as("only the open stream reached primary")
                .isEqualTo(1);
        assertThat(open.get().body()).endsWith("data: [DONE]\n\n");
    }

    private static String body(String model, boolean stream) {
        return "{\"model\":\"" + model + "\"," + (stream ? "\"stream\":true," : "")
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    }

    private static HttpResponse<String> chat(String model) throws Exception {
        return GatewayFixture.postJson(APP, CHAT, body(model, false));
    }

    private static HttpResponse<String> stream(String model) throws Exception {
        return GatewayFixture.postJson(APP, CHAT, body(model, true));
    }

    private static String content(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body())
                .get("choices")
                .get(0)
                .get("message")
                .get("content")
                .asText();
    }

    private static JsonNode error(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body()).get("error");
    }

    private static String breakerState(String provider) throws Exception {
        var metrics = PrometheusText.parse(scrape());
        for (String state : List.of("closed", "open", "half_open")) {
            if (metrics.value("switchboard_circuit_breaker_state", Map.of("provider", provider, "state", state)) == 1) {
                return state;
            }
        }
        return "unknown";
    }

    private static HttpResponse<String> admin(String path) throws Exception {
        return GatewayFixture.HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + APP.getAdminPort() + path))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String scrape() throws Exception {
        return admin("/metrics/prometheus").body();
    }

    private static double activeConnections(PrometheusText metrics) {
        return metrics.sum("switchboard_upstream_connections", Map.of("state", "active"));
    }

    private static double busyThreads(PrometheusText metrics) {
        return metrics.value("switchboard_upstream_threads_busy", Map.of());
    }
}
