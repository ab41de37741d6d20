package io.switchboard.it;

import com.anthropic.client.AnthropicClient;
import com.anthropic.errors.RateLimitException;
import com.anthropic.models.messages.MessageCreateParams;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.responses.ResponseCreateParams;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.testing.Behavior;
import io.switchboard.testing.FakeUpstream;
import io.switchboard.testing.OpenAiWire;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What an operator sees: per-provider health that follows the upstream down and back up, exact
 * metric values after a known sequence of requests, request ids, and the served-by headers.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperationsIntegrationTest {

    private static final FakeUpstream UPSTREAM = GatewayFixture.startUpstream();
    private static final DropwizardAppExtension<SwitchboardConfiguration> APP = GatewayFixture.app(
            UPSTREAM,
            ConfigOverride.config("gateway.refreshPeriod", "200ms"),
            ConfigOverride.config("gateway.discoveryTimeout", "400ms"),
            // One attempt per request, so each scripted answer meets exactly one request.
            ConfigOverride.config("gateway.resilience.retry.maxAttempts", "1"));
    private static final ObjectMapper JSON = new ObjectMapper();

    @AfterAll
    static void stopUpstream() {
        UPSTREAM.close();
    }

    @Test
    @Order(1)
    void metricsAfterAKnownSequenceAreExact() throws Exception {
        OpenAIClient client = GatewayFixture.openAi(APP);
        UPSTREAM.onNext(
                "POST",
                "/v1/chat/completions",
                Behavior.json(200, OpenAiWire.chatCompletion("gpt-4o", "one")),
                Behavior.json(200, OpenAiWire.chatCompletion("gpt-4o", "two")),
                Behavior.delay(Duration.ofSeconds(5), Behavior.json(200, OpenAiWire.chatCompletion("gpt-4o", "late"))),
                Behavior.json(429, OpenAiWire.error("Slow down", "requests", null, "rate_limit_exceeded")),
                Behavior.sse(OpenAiWire.chatStream("gpt-4o", List.of("a", "b"), true), Duration.ofMillis(5)));
        var chat = ChatCompletionCreateParams.builder()
                .model("fake/gpt-4o")
                .addUserMessage("hi")
                .build();

        client.chat().completions().create(chat);
        client.chat().completions().create(chat);
        assertThatThrownBy(() -> client.chat().completions().create(chat)).hasMessageContaining("504");
        assertThatThrownBy(() -> client.chat().completions().create(chat)).hasMessageContaining("429");
        try (var stream = client.chat()
                .completions()
                .createStreaming(chat.toBuilder()
                        .streamOptions(ChatCompletionStreamOptions.builder()
                                .includeUsage(true)
                                .build())
                        .build())) {
            assertThat(stream.stream().count()).isEqualTo(5);
        }

        var metrics = PrometheusText.parse(scrape());
        var chatSuccess = Map.of("provider", "fake", "model", "gpt-4o", "operation", "chat", "outcome", "success");
        assertThat(metrics.value("switchboard_upstream_requests_total", chatSuccess))
                .isEqualTo(2);
        assertThat(metrics.value(
                        "switchboard_upstream_requests_total",
                        Map.of("provider", "fake", "model", "gpt-4o", "operation", "chat", "outcome", "error")))
                .isEqualTo(2);
        assertThat(metrics.value(
                        "switchboard_upstream_requests_total",
                        Map.of(
                                "provider",
                                "fake",
                                "model",
                                "gpt-4o",
                                "operation",
                                "chat_stream",
                                "outcome",
                                "success")))
                .isEqualTo(1);
        assertThat(metrics.value(
                        "switchboard_upstream_errors_total",
                        Map.of("provider", "fake", "model", "gpt-4o", "kind", "timeout")))
                .isEqualTo(1);
        assertThat(metrics.value(
                        "switchboard_upstream_errors_total",
                        Map.of("provider", "fake", "model", "gpt-4o", "kind", "rate_limited")))
                .isEqualTo(1);
        assertThat(metrics.value("switchboard_upstream_latency_seconds_count", chatSuccess))
                .isEqualTo(2);
        assertThat(metrics.value(
                        "switchboard_upstream_ttft_seconds_count", Map.of("provider", "fake", "model", "gpt-4o")))
                .isEqualTo(1);
        // Two completions and one stream with usage, each reporting 19 prompt and 10 completion tokens.
        assertThat(metrics.value(
                        "switchboard_tokens_total", Map.of("provider", "fake", "model", "gpt-4o", "type", "prompt")))
                .isEqualTo(3 * OpenAiWire.PROMPT_TOKENS);
        assertThat(metrics.value(
                        "switchboard_tokens_total",
                        Map.of("provider", "fake", "model", "gpt-4o", "type", "completion")))
                .isEqualTo(3 * OpenAiWire.COMPLETION_TOKENS);
        assertThat(metrics.sum("switchboard_upstream_in_flight", Map.of("provider", "fake")))
                .isZero();
        assertThat(metrics.samples("switchboard_upstream_in_flight"))
                .as("a series per provider and model")
                .anySatisfy(
                        sample -> assertThat(sample.labels()).isEqualTo(Map.of("provider", "fake", "model", "gpt-4o")));
        assertThat(metrics.value("switchboard_gateway_overhead_seconds_count", Map.of("operation", "chat")))
                .isEqualTo(2);
        assertThat(metrics.value("switchboard_gateway_overhead_seconds_count", Map.of("operation", "chat_stream")))
                .isEqualTo(1);
        assertThat(metrics.value("switchboard_provider_up", Map.of("provider", "builtin")))
                .isEqualTo(1);
        assertThat(metrics.value("switchboard_provider_up", Map.of("provider", "down")))
                .isZero();
        assertThat(metrics.labelValues("provider"))
                .as("disabled providers have no up series")
                .doesNotContain("nokey");
        // The Dropwizard registry (Jetty's thread pools here) comes through the bridge too.
        assertThat(metrics.names()).anyMatch(name -> name.startsWith("org_eclipse_jetty_util_thread_QueuedThreadPool"));
    }

    @Test
    @Order(2)
    void modelLabelsComeFromTheCatalogNotFromClients() throws Exception {
        // "down" lists no models, so whatever id a client sends is counted under one label.
        for (String model : List.of("down/made-up-1", "down/made-up-2", "down/made-up-3")) {
            GatewayFixture.postJson(
                    APP,
                    "/v1/chat/completions",
                    "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        }

        var metrics = PrometheusText.parse(scrape());

        assertThat(metrics.value(
                        "switchboard_upstream_errors_total",
                        Map.of("provider", "down", "model", "unlisted", "kind", "connect")))
                .isEqualTo(3);
        assertThat(metrics.labelValues("model")).doesNotContain("made-up-1", "made-up-2", "made-up-3");
    }

    @Test
    @Order(3)
    void responsesSayWhoServedThemAndTheGatewayOverhead() throws Exception {
        UPSTREAM.on("POST", "/v1/chat/completions", Behavior.json(200, OpenAiWire.chatCompletion("gpt-4o", "x")));

        var response = GatewayFixture.postJson(
                APP,
                "/v1/chat/completions",
                "{\"model\":\"smart\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");

        assertThat(response.headers().firstValue("x-switchboard-provider")).contains("fake");
        assertThat(response.headers().firstValue("x-switchboard-model")).contains("fake/gpt-4o");
        assertThat(response.headers().firstValue("x-switchboard-overhead-ms").orElseThrow())
                .matches("\\d+\\.\\d\\d");
        // Written to the servlet response directly, not by Jersey: the same type, and a length.
        assertThat(response.headers().allValues("content-type")).containsExactly("application/json");
        assertThat(response.headers().firstValue("content-length"))
                .contains(Integer.toString(response.body().getBytes(StandardCharsets.UTF_8).length));
        assertThat(JSON.readTree(response.body()).path("object").asText()).isEqualTo("chat.completion");
    }

    /**
     * A JSON answer written directly with its length is still compressed for a client that asks:
     * the length sent is the compressed body's, and the body inflates to the whole answer.
     */
    @Test
    @Order(3)
    void aCompressedAnswerHasTheLengthOfWhatIsSent() throws Exception {
        UPSTREAM.on(
                "POST",
                "/v1/chat/completions",
                Behavior.json(200, OpenAiWire.chatCompletion("gpt-4o", "z".repeat(2_000))));

        var response = GatewayFixture.HTTP.send(
                HttpRequest.newBuilder(uri("/v1/chat/completions"))
                        .timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/json")
                        .header("Accept-Encoding", "gzip")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"model\":\"smart\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-encoding")).contains("gzip");
        response.headers()
                .firstValue("content-length")
                .ifPresent(length -> assertThat(Integer.parseInt(length)).isEqualTo(response.body().length));
        byte[] inflated;
        try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(response.body()))) {
            inflated = in.readAllBytes();
        }
        JsonNode answer = JSON.readTree(inflated);
        assertThat(answer.path("choices")
                        .path(0)
                        .path("message")
                        .path("content")
                        .asText())
                .isEqualTo("z".repeat(2_000));
    }

    /**
     * A stream's response is begun by the relay on the servlet response, not by Jersey: it must
     * carry what the JSON answer Jersey writes carries (who served it, the overhead, the request
     * id), plus the event stream's own headers.
     */
    @Test
    @Order(3)
    void aStreamSaysWhoServedItAsTheJsonAnswerDoes() throws Exception {
        UPSTREAM.on(
                "POST",
                "/v1/chat/completions",
                Behavior.sse(OpenAiWire.chatStream("gpt-4o", List.of("x", "y"), false), Duration.ZERO));

        var params = ChatCompletionCreateParams.builder()
                .model("smart")
                .addUserMessage("x")
                .putAdditionalHeader("X-Request-Id", "stream-7")
                .build();
        try (var raw = GatewayFixture.openAi(APP)
                .chat()
                .completions()
                .withRawResponse()
                .createStreaming(params)) {
            assertThat(raw.statusCode()).isEqualTo(200);
            var headers = raw.headers();
            assertThat(headers.values("content-type")).containsExactly("text/event-stream");
            assertThat(headers.values("cache-control")).containsExactly("no-cache");
            assertThat(headers.values("x-accel-buffering")).containsExactly("no");
            assertThat(headers.values("x-request-id")).containsExactly("stream-7");
            assertThat(headers.values("x-switchboard-provider")).containsExactly("fake");
            assertThat(headers.values("x-switchboard-model")).containsExactly("fake/gpt-4o");
            assertThat(headers.values("x-switchboard-attempts")).containsExactly("1");
            assertThat(headers.values("x-switchboard-overhead-ms"))
                    .singleElement()
                    .asString()
                    .matches("\\d+\\.\\d\\d");
            var text = new StringBuilder();
            try (var stream = raw.parse()) {
                stream.stream()
                        .forEach(chunk ->
                                chunk.choices().forEach(c -> c.delta().content().ifPresent(text::append)));
            }
            assertThat(text.toString()).isEqualTo("xy");
        }
    }

    @Test
    @Order(4)
    void requestIdRoundTripsOrIsMadeUp() throws Exception {
        var sane = send(HttpRequest.newBuilder(uri("/v1/models"))
                .header("X-Request-Id", "trace-42:a.b_c")
                .GET());
        assertThat(sane.headers().firstValue("x-request-id")).contains("trace-42:a.b_c");

        var insane = send(HttpRequest.newBuilder(uri("/v1/models"))
                .header("X-Request-Id", "no spaces<>allowed")
                .GET());
        assertThat(insane.headers().firstValue("x-request-id").orElseThrow())
                .startsWith("req_")
                .hasSize(36);

        var none = send(HttpRequest.newBuilder(uri("/v1/nope")).GET());
        assertThat(none.statusCode()).isEqualTo(404);
        assertThat(none.headers().firstValue("x-request-id").orElseThrow()).startsWith("req_");
    }

    @Test
    @Order(5)
    void providerHealthFollowsTheUpstreamDownAndBackUp() throws Exception {
        assertThat(healthcheck("provider-fake").get("healthy").asBoolean()).isTrue();
        assertThat(healthcheck("provider-fake").get("message").asText())
                .contains("GET " + UPSTREAM.baseUrl() + "/v1/models")
                .contains("6 models in");

        UPSTREAM.on("GET", "/v1/models", Behavior.closeConnection());
        JsonNode down = awaitHealth("provider-fake", false);
        assertThat(down.get("message").asText())
                .contains(UPSTREAM.baseUrl() + "/v1/models")
                .contains("closed before the response was complete");
        assertThat(down.get("status").asText()).isEqualTo("down");
        // A provider outage is not a gateway outage: still ready, the builtin can serve, and the
        // admin /healthcheck says the provider is down with a 200.
        assertThat(readiness()).isEqualTo(200);
        assertThat(send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + APP.getAdminPort() + "/healthcheck"))
                                .GET())
                        .statusCode())
                .isEqualTo(200);
        assertThat(PrometheusText.parse(scrape()).value("switchboard_provider_up", Map.of("provider", "fake")))
                .isZero();

        GatewayFixture.listModels(UPSTREAM);
        JsonNode up = awaitHealth("provider-fake", true);
        assertThat(up.get("status").asText()).isEqualTo("up");
        assertThat(readiness()).isEqualTo(200);
    }

    @Test
    @Order(6)
    void healthEndpointsAnswerWithoutAuthOnTheApplicationPort() throws Exception {
        assertThat(send(HttpRequest.newBuilder(uri("/health-check?type=ALIVE")).GET())
                        .statusCode())
                .isEqualTo(200);
        var ready =
                send(HttpRequest.newBuilder(uri("/health-check?name=providers")).GET());
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).contains("\"critical\":true");
        var adminMetrics =
                send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + APP.getAdminPort() + "/metrics"))
                        .GET());
        assertThat(JSON.readTree(adminMetrics.body()).has("gauges"))
                .as("the JSON /metrics stays")
                .isTrue();
    }

    @Test
    @Order(7)
    void requestsAreCountedByTheEndpointTheyCameInBy() throws Exception {
        UPSTREAM.onNext(
                "POST",
                "/v1/chat/completions",
                Behavior.json(200, OpenAiWire.chatCompletion("gpt-4o", "from chat")),
                Behavior.json(200, OpenAiWire.chatCompletion("gpt-4o", "from messages")),
                Behavior.json(200, OpenAiWire.chatCompletion("gpt-4o", "from responses")),
                Behavior.json(429, OpenAiWire.error("Slow down", "requests", null, "rate_limit_exceeded")));
        var before = PrometheusText.parse(scrape());

        var chat = GatewayFixture.openAi(APP)
                .chat()
                .completions()
                .create(ChatCompletionCreateParams.builder()
                        .model("fake/gpt-4o")
                        .addUserMessage("hi")
                        .build());
        AnthropicClient anthropic = AnthropicSdk.client(APP, "unused");
        var messageParams = MessageCreateParams.builder()
                .model("fake/gpt-4o")
                .maxTokens(64)
                .addUserMessage("hi")
                .build();
        var message = anthropic.messages().create(messageParams);
        var response = GatewayFixture.openAi(APP)
                .responses()
                .create(ResponseCreateParams.builder()
                        .model("fake/gpt-4o")
                        .input("hi")
                        .store(false)
                        .build());
        assertThatThrownBy(() -> anthropic.messages().create(messageParams)).isInstanceOf(RateLimitException.class);

        assertThat(chat.choices().get(0).message().content()).contains("from chat");
        assertThat(message.content().get(0).asText().text()).isEqualTo("from messages");
        assertThat(response.output()
                        .get(0)
                        .asMessage()
                        .content()
                        .get(0)
                        .asOutputText()
                        .text())
                .isEqualTo("from responses");
        var after = PrometheusText.parse(scrape());
        for (String[] counted : new String[][] {
            {"/v1/chat/completions", "200"}, {"/v1/messages", "200"}, {"/v1/messages", "429"}, {"/v1/responses", "200"}
        }) {
            assertThat(after.since(
                            before, "switchboard_requests_total", Map.of("endpoint", counted[0], "status", counted[1])))
                    .as(String.join(" ", counted))
                    .isEqualTo(1);
        }
        // The upstream series stay by upstream operation: all four went to the fake as chat calls.
        var chatCalls = Map.of("provider", "fake", "model", "gpt-4o", "operation", "chat");
        assertThat(after.sum("switchboard_upstream_requests_total", chatCalls)
                        - before.sum("switchboard_upstream_requests_total", chatCalls))
                .isEqualTo(4);
    }

    private static JsonNode awaitHealth(String check, boolean healthy) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        JsonNode result = healthcheck(check);
        while (result.get("healthy").asBoolean() != healthy && System.nanoTime() < deadline) {
            Thread.sleep(100);
            result = healthcheck(check);
        }
        assertThat(result.get("healthy").asBoolean()).as(result.toString()).isEqualTo(healthy);
        return result;
    }

    private static JsonNode healthcheck(String check) throws Exception {
        var response =
                send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + APP.getAdminPort() + "/healthcheck"))
                        .GET());
        return JSON.readTree(response.body()).get(check);
    }

    private static int readiness() throws Exception {
        return send(HttpRequest.newBuilder(uri("/health-check?type=READY")).GET())
                .statusCode();
    }

    private static String scrape() throws Exception {
        var response = send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + APP.getAdminPort() + "/metrics/prometheus"))
                        .GET());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type").orElseThrow()).startsWith("text/plain");
        return response.body();
    }

    private static URI uri(String path) {
        return URI.create(GatewayFixture.baseUrl(APP) + path);
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return GatewayFixture.HTTP.send(
                request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
