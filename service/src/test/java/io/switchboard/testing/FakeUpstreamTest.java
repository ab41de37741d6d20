package io.switchboard.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.openai.core.ObjectMappers;
import com.openai.models.ErrorObject;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.completions.Completion;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.images.ImagesResponse;
import com.openai.models.models.ModelListPageResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/** Proves FakeUpstream's behaviors over a real socket, with the JDK's own HTTP client. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FakeUpstreamTest {

    private static final String CHAT = "/v1/chat/completions";
    private static final String MODEL = "gpt-4o-mini";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private FakeUpstream upstream;
    private HttpClient client;

    @BeforeEach
    void setUp() {
        upstream = FakeUpstream.start();
        // HTTP/1.1 explicitly: the default would try an h2c upgrade, which is not what the gateway's
        // upstream client does and would muddy the recorded headers.
        client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    @AfterEach
    void tearDown() {
        upstream.close();
    }

    @Test
    void jsonRespondsAndRecordsMethodPathQueryHeadersAndBody() throws Exception {
        String completion = OpenAiWire.chatCompletion(MODEL, "Hello!");
        upstream.on("POST", CHAT, Behavior.json(200, completion, Map.of("x-request-id", "req_123")));

        HttpResponse<String> response = client.send(
                HttpRequest.newBuilder(upstream.uri(CHAT + "?api-version=2024-10-21"))
                        .header("Authorization", "Bearer sk-test")
                        .header("X-Trace", "a")
                        .header("X-Trace", "b")
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-4o-mini\",\"n\":1}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(response.headers().firstValue("x-request-id")).hasValue("req_123");
        assertThat(response.body()).isEqualTo(completion);

        RecordedRequest recorded = upstream.lastRequest(CHAT);
        assertThat(recorded.method()).isEqualTo("POST");
        assertThat(recorded.path()).isEqualTo(CHAT);
        assertThat(recorded.query()).isEqualTo("api-version=2024-10-21");
        assertThat(recorded.pathAndQuery()).isEqualTo(CHAT + "?api-version=2024-10-21");
        assertThat(recorded.header("AUTHORIZATION")).isEqualTo("Bearer sk-test");
        assertThat(recorded.headers("x-trace")).containsExactly("a", "b");
        assertThat(recorded.headers()).containsKey("authorization").doesNotContainKey("Authorization");
        assertThat(recorded.body()).isEqualTo("{\"model\":\"gpt-4o-mini\",\"n\":1}");
        assertThat(recorded.bodyJson().get("model").asText()).isEqualTo(MODEL);
        assertThat(upstream.count(CHAT)).isEqualTo(1);
        assertThat(upstream.requests()).hasSize(1);
        assertThatThrownBy(() -> upstream.requests().add(recorded)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void requestWithoutQueryRecordsNullQuery() throws Exception {
        upstream.on("GET", "/v1/models", Behavior.json(200, OpenAiWire.models("gpt-4o")));

        assertThat(get("/v1/models").statusCode()).isEqualTo(200);

        RecordedRequest recorded = upstream.lastRequest("/v1/models");
        assertThat(recorded.query()).isNull();
        assertThat(recorded.body()).isEmpty();
    }

    @Test
    void onNextBehaviorsAreConsumedInOrderBeforeFallingBackToOn() throws Exception {
        upstream.on("POST", CHAT, Behavior.json(200, "{\"first\":true}"));
        // A later `on` replaces the earlier one for the same route.
        upstream.on("post", CHAT, Behavior.json(200, OpenAiWire.chatCompletion(MODEL, "ok")));
        upstream.onNext(
                "POST",
                CHAT,
                Behavior.json(503, OpenAiWire.error("overloaded", "server_error", null, null)),
                Behavior.json(
                        429,
                        OpenAiWire.error("slow down", "requests", null, "rate_limit_exceeded"),
                        Map.of("retry-after", "1")));

        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            statuses.add(postChat("{}").statusCode());
        }

        assertThat(statuses).containsExactly(503, 429, 200, 200);
        assertThat(upstream.count(CHAT)).isEqualTo(4);
        // The queue is per route: another method on the same path is unaffected.
        assertThat(get(CHAT).statusCode()).isEqualTo(404);
    }

    @Test
    void sseIsDeliveredIncrementally() throws Exception {
        List<String> frames = OpenAiWire.chatStream(MODEL, List.of("Hel", "lo", "!"), true);
        Duration gap = Duration.ofMillis(300);
        upstream.on("POST", CHAT, Behavior.sse(frames, gap));

        HttpResponse<InputStream> response =
                client.send(chatRequest("{\"stream\":true}"), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("text/event-stream");

        List<String> dataLines = new ArrayList<>();
        List<Long> arrivals = new ArrayList<>();
        try (BufferedReader reader = reader(response)) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.startsWith("data: ")) {
                    dataLines.add(line);
                    arrivals.add(System.nanoTime());
                }
            }
        }

        assertThat(dataLines).hasSize(frames.size());
        assertThat(dataLines.get(dataLines.size() - 1)).isEqualTo("data: [DONE]");
        // The server writes the last frame (n-1) gaps after the first. Receiving the first that much
        // earlier than the last proves it was not held back until the end of the stream.
        long spreadMillis = TimeUnit.NANOSECONDS.toMillis(arrivals.get(arrivals.size() - 1) - arrivals.get(0));
        long minimumSpread = (frames.size() - 1) * gap.toMillis() * 8 / 10;
        assertThat(spreadMillis).isGreaterThanOrEqualTo(minimumSpread);
        assertThat(upstream.openStreams()).isZero();
        // The progress counters saw every event, byte for byte, and reset() forgets them.
        assertThat(upstream.sseEventsWritten()).isEqualTo(frames.size());
        assertThat(upstream.sseBytesWritten())
                .isEqualTo(
                        frames.stream().mapToLong(f -> f.getBytes(UTF_8).length).sum());
        upstream.reset();
        assertThat(upstream.sseEventsWritten()).isZero();
        assertThat(upstream.sseBytesWritten()).isZero();
    }

    @Test
    void sseThenCutBreaksTheBodyAfterKEvents() throws Exception {
        List<String> frames = OpenAiWire.chatStream(MODEL, List.of("a", "b", "c", "d"), false);
        upstream.on("POST", CHAT, Behavior.sseThenCut(frames, Duration.ofMillis(20), 2));

        HttpResponse<InputStream> response = client.send(chatRequest("{}"), HttpResponse.BodyHandlers.ofInputStream());
        List<String> dataLines = new ArrayList<>();
        Throwable failure;
        try (BufferedReader reader = reader(response)) {
            failure = catchThrowable(() -> {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    if (line.startsWith("data: ")) {
                        dataLines.add(line);
                    }
                }
            });
        }

        assertThat(dataLines).hasSize(2);
        assertThat(failure).isInstanceOf(IOException.class);
        assertThat(upstream.sseEventsWritten())
                .as("events written before the cut")
                .isEqualTo(2);
        // The same through a whole-body handler: never a silently truncated "success".
        assertThatThrownBy(() -> postChat("{}")).isInstanceOf(IOException.class);
    }

    @Test
    void delayHoldsBackTheHeaders() throws Exception {
        upstream.on("GET", "/slow", Behavior.delay(Duration.ofMillis(400), Behavior.json(200, "{}")));

        long start = System.nanoTime();
        HttpResponse<String> response = get("/slow");
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(elapsedMillis).isGreaterThanOrEqualTo(380);
        // A client timeout shorter than the delay fires, i.e. the headers really were not sent.
        assertThatThrownBy(() -> client.send(
                        HttpRequest.newBuilder(upstream.uri("/slow"))
                                .timeout(Duration.ofMillis(150))
                                .build(),
                        HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(HttpTimeoutException.class);
    }

    @Test
    void unmatchedRouteAnswersOpenAiShaped404() throws Exception {
        HttpResponse<String> response = get("/v1/nope?x=1");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        JsonNode error = MAPPER.readTree(response.body()).get("error");
        assertThat(error.get("message").asText()).isEqualTo("Unknown path GET /v1/nope");
        assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.get("param").isNull()).isTrue();
        assertThat(error.get("code").asText()).isEqualTo("unknown_url");
        // Unmatched requests are still recorded, so a test can see what was really called.
        assertThat(upstream.lastRequest("/v1/nope").query()).isEqualTo("x=1");
    }

    @Test
    void closeConnectionSendsNoResponse() {
        upstream.on("POST", CHAT, Behavior.closeConnection());

        assertThatThrownBy(() -> postChat("{\"a\":1}")).isInstanceOf(IOException.class);
        assertThat(upstream.lastRequest(CHAT).bodyJson().get("a").asInt()).isEqualTo(1);
    }

    @Test
    void malformedIsTruncatedJson() throws Exception {
        upstream.on("POST", CHAT, Behavior.malformed());

        HttpResponse<String> response = postChat("{}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        assertThatThrownBy(() -> MAPPER.readTree(response.body())).isInstanceOf(JsonProcessingException.class);
    }

    @Test
    void statusSendsExactlyTheGivenHeaders() throws Exception {
        upstream.on("GET", "/plain", Behavior.status(502, "Bad Gateway", Map.of("Content-Type", "text/html")));

        HttpResponse<String> response = get("/plain");

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(response.headers().firstValue("content-type")).hasValue("text/html");
        assertThat(response.body()).isEqualTo("Bad Gateway");
    }

    @Test
    void stalledStreamNoticesTheClientLeaving() throws Exception {
        List<String> frames = OpenAiWire.chatStream(MODEL, List.of("a", "b", "c"), false);
        upstream.on("POST", CHAT, Behavior.sseThenStall(frames, Duration.ofMillis(10), 2));

        HttpResponse<InputStream> response = client.send(chatRequest("{}"), HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader reader = reader(response)) {
            int data = 0;
            while (data < 2) {
                if (reader.readLine().startsWith("data: ")) {
                    data++;
                }
            }
            assertThat(upstream.openStreams()).isEqualTo(1);
        } // closing the body before its end makes the JDK client drop the connection

        assertThat(upstream.awaitClientDisconnect(Duration.ofSeconds(5))).isTrue();
        assertThat(upstream.clientDisconnects()).isEqualTo(1);
        awaitOpenStreams(0);
    }

    @Test
    void hangNeverAnswersAndNoticesAClientThatGivesUp() throws Exception {
        upstream.on("POST", CHAT, Behavior.hang());

        assertThatThrownBy(() -> client.send(
                        HttpRequest.newBuilder(upstream.uri(CHAT))
                                .timeout(Duration.ofMillis(300))
                                .POST(HttpRequest.BodyPublishers.ofString("{\"x\":1}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(HttpTimeoutException.class);

        // The body is recorded even though no answer was ever sent.
        assertThat(upstream.lastRequest(CHAT).body()).isEqualTo("{\"x\":1}");
        // The JDK client drops the connection on timeout; the server sees it go.
        assertThat(upstream.awaitClientDisconnect(Duration.ofSeconds(5))).isTrue();
        awaitOpenStreams(0);
    }

    @Test
    void closeReturnsPromptlyWithHungAndStalledRequestsInFlight() throws Exception {
        upstream.on("POST", "/hang", Behavior.hang());
        upstream.on(
                "POST",
                "/stall",
                Behavior.sseThenStall(OpenAiWire.chatStream(MODEL, List.of("x"), false), Duration.ZERO, 1));
        CompletableFuture<HttpResponse<String>> hung =
                client.sendAsync(post("/hang", "{}"), HttpResponse.BodyHandlers.ofString());
        CompletableFuture<HttpResponse<String>> stalled =
                client.sendAsync(post("/stall", "{}"), HttpResponse.BodyHandlers.ofString());
        upstream.awaitRequests("/hang", 1, Duration.ofSeconds(5));
        upstream.awaitRequests("/stall", 1, Duration.ofSeconds(5));
        awaitOpenStreams(2);

        long start = System.nanoTime();
        upstream.close();
        long closeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(closeMillis).isLessThan(2000);
        assertThat(upstream.openStreams()).isZero();
        // Both clients are released with an I/O failure rather than left waiting.
        for (CompletableFuture<HttpResponse<String>> call : List.of(hung, stalled)) {
            Throwable failure = catchThrowable(() -> call.get(5, TimeUnit.SECONDS));
            assertThat(failure).isInstanceOf(ExecutionException.class);
            assertThat(failure.getCause()).isInstanceOf(IOException.class);
        }
    }

    @Test
    void awaitRequestsWaitsForRequestsMadeElsewhere() {
        upstream.on("POST", CHAT, Behavior.json(200, "{}"));
        CompletableFuture<HttpResponse<String>> later = CompletableFuture.runAsync(() -> sleep(200))
                .thenCompose(done -> client.sendAsync(post(CHAT, "{}"), HttpResponse.BodyHandlers.ofString()));

        assertThat(upstream.awaitRequests(CHAT, 1, Duration.ofSeconds(5))).hasSize(1);
        assertThatThrownBy(() -> upstream.awaitRequests(CHAT, 2, Duration.ofMillis(100)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("expected 2 request(s) for " + CHAT);
        assertThat(later.join().statusCode()).isEqualTo(200);
    }

    @Test
    void openAiWireBodiesParseWithTheOfficialSdkModels() throws Exception {
        // The openai-java SDK's own models are an independent check of the hand-built shapes.
        JsonMapper sdk = ObjectMappers.jsonMapper();

        ChatCompletion completion = sdk.readValue(OpenAiWire.chatCompletion(MODEL, "Hi"), ChatCompletion.class)
                .validate();
        assertThat(completion.choices().get(0).message().content()).hasValue("Hi");
        assertThat(completion.usage().orElseThrow().totalTokens()).isEqualTo(OpenAiWire.TOTAL_TOKENS);

        ChatCompletion toolCall = sdk.readValue(
                        OpenAiWire.toolCallCompletion(MODEL, "call_abc123", "get_weather", "{\"location\":\"Paris\"}"),
                        ChatCompletion.class)
                .validate();
        assertThat(toolCall.choices().get(0).finishReason().asString()).isEqualTo("tool_calls");
        assertThat(toolCall.choices().get(0).message().toolCalls().orElseThrow())
                .hasSize(1);

        sdk.readValue(OpenAiWire.completion("gpt-3.5-turbo-instruct", "x"), Completion.class)
                .validate();
        CreateEmbeddingResponse embeddings = sdk.readValue(
                        OpenAiWire.embeddings("text-embedding-3-small", 2, 4), CreateEmbeddingResponse.class)
                .validate();
        assertThat(embeddings.data()).hasSize(2);
        assertThat(embeddings.data().get(1).embedding()).hasSize(4);
        sdk.readValue(OpenAiWire.imagesB64("aGk="), ImagesResponse.class).validate();
        assertThat(sdk.readValue(OpenAiWire.models("gpt-4o", "o3"), ModelListPageResponse.class)
                        .validate()
                        .data())
                .hasSize(2);
        ErrorObject error = sdk.readValue(
                        MAPPER.readTree(OpenAiWire.error("bad key", "invalid_request_error", null, "k"))
                                .get("error")
                                .toString(),
                        ErrorObject.class)
                .validate();
        assertThat(error.message()).isEqualTo("bad key");
    }

    @Test
    void chatStreamFramesFollowOpenAisStreamingShape() throws Exception {
        JsonMapper sdk = ObjectMappers.jsonMapper();
        List<String> frames = OpenAiWire.chatStream(MODEL, List.of("Hel", "lo"), true);

        // role chunk, 2 content chunks, finish chunk, usage chunk, [DONE]
        assertThat(frames).hasSize(6).allSatisfy(frame -> assertThat(frame).endsWith("\n\n"));
        assertThat(frames.get(5)).isEqualTo("data: [DONE]\n\n");
        List<JsonNode> chunks = new ArrayList<>();
        for (String frame : frames.subList(0, 5)) {
            assertThat(frame).startsWith("data: {").doesNotContain("\n\n\n");
            String json = frame.substring("data: ".length()).trim();
            sdk.readValue(json, ChatCompletionChunk.class).validate();
            chunks.add(MAPPER.readTree(json));
        }
        assertThat(chunks.get(0).at("/choices/0/delta").toString())
                .isEqualTo("{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null}");
        assertThat(chunks.get(1).at("/choices/0/delta/content").asText()).isEqualTo("Hel");
        assertThat(chunks.get(3).at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        assertThat(chunks.get(3).at("/choices/0/delta").isEmpty()).isTrue();
        for (JsonNode chunk : chunks.subList(0, 4)) {
            assertThat(chunk.get("object").asText()).isEqualTo("chat.completion.chunk");
            assertThat(chunk.get("usage").isNull()).isTrue();
        }
        assertThat(chunks.get(4).get("choices").isEmpty()).isTrue();
        assertThat(chunks.get(4).at("/usage/total_tokens").asInt()).isEqualTo(OpenAiWire.TOTAL_TOKENS);

        assertThat(OpenAiWire.chatStream(MODEL, List.of("x"), false).get(0)).doesNotContain("usage");
    }

    @Test
    void toolCallStreamFramesFollowTheFunctionCallingGuide() throws Exception {
        List<String> frames = OpenAiWire.toolCallStream(MODEL, "call_1", "get_weather", List.of("{\"", "city", "\"}"));

        assertThat(frames).hasSize(6);
        JsonNode first = MAPPER.readTree(frames.get(0).substring(6));
        assertThat(first.at("/choices/0/delta/tool_calls/0").toString())
                .isEqualTo("{\"index\":0,\"id\":\"call_1\",\"type\":\"function\","
                        + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}");
        StringBuilder arguments = new StringBuilder();
        for (String frame : frames.subList(1, 4)) {
            JsonNode call = MAPPER.readTree(frame.substring(6)).at("/choices/0/delta/tool_calls/0");
            assertThat(call.has("id")).isFalse();
            assertThat(call.get("index").asInt()).isZero();
            arguments.append(call.at("/function/arguments").asText());
        }
        assertThat(arguments.toString()).isEqualTo("{\"city\"}");
        assertThat(MAPPER.readTree(frames.get(4).substring(6))
                        .at("/choices/0/finish_reason")
                        .asText())
                .isEqualTo("tool_calls");
        assertThat(frames.get(5)).isEqualTo(OpenAiWire.DONE);
    }

    private HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return client.send(
                HttpRequest.newBuilder(upstream.uri(pathAndQuery)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> postChat(String body) throws IOException, InterruptedException {
        return client.send(chatRequest(body), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest chatRequest(String body) {
        return post(CHAT, body);
    }

    private HttpRequest post(String path, String body) {
        return HttpRequest.newBuilder(upstream.uri(path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    private static BufferedReader reader(HttpResponse<InputStream> response) {
        return new BufferedReader(new InputStreamReader(response.body(), UTF_8));
    }

    private void awaitOpenStreams(int expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (upstream.openStreams() != expected && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(upstream.openStreams()).isEqualTo(expected);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
