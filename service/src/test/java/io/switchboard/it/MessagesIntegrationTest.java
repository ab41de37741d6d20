package io.switchboard.it;

import com.anthropic.client.AnthropicClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.AnthropicServiceException;
import com.anthropic.errors.BadRequestException;
import com.anthropic.errors.NotFoundException;
import com.anthropic.errors.OverloadedException;
import com.anthropic.errors.RateLimitException;
import com.anthropic.errors.UnauthorizedException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.ContentBlock;
import com.anthropic.models.messages.ContentBlockParam;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCountTokensParams;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolResultBlockParam;
import com.anthropic.models.messages.ToolUseBlock;
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
import io.switchboard.testing.Fixtures;
import io.switchboard.testing.OpenAiWire;
import io.switchboard.testing.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Anthropic's Messages API on the gateway, driven by the official anthropic-java SDK and by raw
 * HTTP where bytes matter: once through a fake Anthropic upstream (native pass-through) and once
 * through a fake OpenAI-compatible upstream (translated to chat completions and back).
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class MessagesIntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "sk-gateway-messages-key";
    private static final String CLAUDE = "anthropic/claude-sonnet-4-5";
    private static final String GPT = "openai/gpt-4o";
    private static final String MESSAGES = "/v1/messages";
    private static final String CHAT = "/v1/chat/completions";
    private static final Path DB =
            Path.of("target", "messages-ledger-" + System.nanoTime() + ".db").toAbsolutePath();

    private static final FakeUpstream ANTHROPIC = FakeUpstream.start();
    private static final FakeUpstream OPENAI = FakeUpstream.start();
    private static final DropwizardAppExtension<SwitchboardConfiguration> APP = new DropwizardAppExtension<>(
            SwitchboardApplication.class,
            ResourceHelpers.resourceFilePath("messages-test-config.yml"),
            ConfigOverride.config("database.url", () -> "jdbc:sqlite:" + DB),
            ConfigOverride.config("gateway.apiKeys", KEY),
            ConfigOverride.config("providers[0].baseUrl", ANTHROPIC::baseUrl),
            ConfigOverride.config("providers[1].baseUrl", () -> OPENAI.baseUrl() + "/v1"));

    private AnthropicClient client;

    @BeforeEach
    void setUp() {
        ANTHROPIC.reset();
        OPENAI.reset();
        client = sdk(KEY);
    }

    @AfterAll
    static void stopUpstreams() {
        ANTHROPIC.close();
        OPENAI.close();
    }

    private static AnthropicClient sdk(String key) {
        return AnthropicSdk.client(APP, key);
    }

    // --- native: a fake Anthropic upstream -------------------------------------------------------

    @Test
    void nativeBodiesPassThroughByteForByteWithOnlyTheModelRewritten() throws Exception {
        ANTHROPIC.on(
                "POST", MESSAGES, Behavior.json(200, Fixtures.text("/fixtures/anthropic/messages.text.response.json")));
        String body = Fixtures.text("/fixtures/messages/claude-code.request.json");
        assertThat(body).contains("\"model\": \"" + CLAUDE + "\"");

        var response = post(
                MESSAGES + "?beta=true",
                body,
                "x-api-key",
                KEY,
                "anthropic-beta",
                "interleaved-thinking-2025-05-14",
                "anthropic-version",
                "2023-06-01");

        assertThat(response.statusCode()).isEqualTo(200);
        RecordedRequest sent = ANTHROPIC.lastRequest(MESSAGES);
        // Every byte as the client wrote it (unknown fields, cache_control, thinking signatures,
        // whitespace), but the model.
        assertThat(sent.body())
                .isEqualTo(body.replace("\"model\": \"" + CLAUDE + "\"", "\"model\": \"claude-sonnet-4-5\""));
        assertThat(sent.header("anthropic-beta"))
                .isEqualTo("configured-beta-2025-01-01,interleaved-thinking-2025-05-14");
        assertThat(sent.header("anthropic-version")).isEqualTo("2023-06-01");
        assertThat(sent.header("x-api-key")).isEqualTo("sk-ant-upstream-secret");
        // The answer as Anthropic sent it, with the client's model id.
        String upstream = Fixtures.text("/fixtures/anthropic/messages.text.response.json");
        JsonNode expected = JSON.readTree(upstream);
        ((com.fasterxml.jackson.databind.node.ObjectNode) expected).put("model", CLAUDE);
        assertThat(JSON.readTree(response.body())).isEqualTo(expected);
        assertThat(response.headers().firstValue("X-Switchboard-Provider")).hasValue("anthropic");
    }

    @Test
    void nativeCreateWithTheSdk() throws Exception {
        ANTHROPIC.on(
                "POST", MESSAGES, Behavior.json(200, Fixtures.text("/fixtures/anthropic/messages.text.response.json")));

        Message message = client.messages()
                .create(MessageCreateParams.builder()
                        .model(CLAUDE)
                        .maxTokens(1024)
                        .addUserMessage("Hello, Claude")
                        .build());

        assertThat(message.model().asString()).isEqualTo(CLAUDE);
        assertThat(message.content().get(0).text().orElseThrow().text()).contains("Hi! My name is Claude.");
        assertThat(message.stopReason()).hasValue(StopReason.END_TURN);
        assertThat(message.usage().inputTokens()).isEqualTo(2095);
        assertThat(message.usage().outputTokens()).isEqualTo(503);
        assertThat(ANTHROPIC.lastRequest(MESSAGES).bodyJson().get("model").asText())
                .isEqualTo("claude-sonnet-4-5");
        // The native call went through the metrics decorator like any other upstream call.
        var metrics = PrometheusText.parse(GatewayFixture.HTTP
                .send(
                        HttpRequest.newBuilder(
                                        URI.create("http://127.0.0.1:" + APP.getAdminPort() + "/metrics/prometheus"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body());
        assertThat(metrics.sum(
                        "switchboard_upstream_requests_total",
                        Map.of("provider", "anthropic", "operation", "messages", "outcome", "success")))
                .isGreaterThanOrEqualTo(1);
    }

    @Test
    void nativeStreamsRelayEveryEventAsReceived() throws Exception {
        List<String> events = sseEvents(Fixtures.text("/fixtures/anthropic/stream.tool_use.sse"));
        ANTHROPIC.on("POST", MESSAGES, Behavior.sse(events, Duration.ZERO));

        var accumulator = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> stream = client.messages()
                .createStreaming(MessageCreateParams.builder()
                        .model(CLAUDE)
                        .maxTokens(1024)
                        .addUserMessage("What's the weather in San Francisco?")
                        .build())) {
            stream.stream().forEach(accumulator::accumulate);
        }
        Message message = accumulator.message();
        assertThat(message.model().asString()).isEqualTo(CLAUDE);
        assertThat(message.content().get(0).text().orElseThrow().text())
                .isEqualTo("Okay, let's check the weather for San Francisco, CA:");
        ToolUseBlock tool = message.content().get(1).toolUse().orElseThrow();
        assertThat(tool.name()).isEqualTo("get_weather");
        assertThat(tool._input().convert(Map.class))
                .isEqualTo(Map.of("location", "San Francisco, CA", "unit", "fahrenheit"));
        assertThat(message.stopReason()).hasValue(StopReason.TOOL_USE);
        assertThat(message.usage().outputTokens()).isEqualTo(89);

        // Raw: the same events, in the same order, each data as sent but message_start's model.
        var raw = post(MESSAGES, """
                {"model":"%s","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"hi"}]}""".formatted(CLAUDE), "x-api-key", KEY);
        List<String[]> relayed = parseSse(raw.body());
        List<String[]> original = parseSse(String.join("", events));
        assertThat(relayed)
                .extracting(e -> e[0])
                .containsExactlyElementsOf(original.stream().map(e -> e[0]).toList());
        for (int i = 1; i < original.size(); i++) {
            assertThat(relayed.get(i)[1]).isEqualTo(original.get(i)[1]);
        }
        assertThat(JSON.readTree(relayed.get(0)[1])
                        .path("message")
                        .path("model")
                        .asText())
                .isEqualTo(CLAUDE);
    }

    @Test
    void nativeCountTokensIsAnthropicsOwn() {
        ANTHROPIC.on("POST", MESSAGES + "/count_tokens", Behavior.json(200, "{\"input_tokens\": 2095}"));

        var count = client.messages()
                .countTokens(MessageCountTokensParams.builder()
                        .model(CLAUDE)
                        .addUserMessage("Hello, Claude")
                        .build());

        assertThat(count.inputTokens()).isEqualTo(2095);
        assertThat(ANTHROPIC
                        .lastRequest(MESSAGES + "/count_tokens")
                        .bodyJson()
                        .get("model")
                        .asText())
                .isEqualTo("claude-sonnet-4-5");
    }

    @Test
    void anOverloadedAnthropicFallsBackToOpenAiBeforeTheFirstByte() throws Exception {
        ANTHROPIC.on(
                "POST", MESSAGES, Behavior.json(529, Fixtures.text("/fixtures/anthropic/error.529.overloaded.json")));
        OPENAI.on(
                "POST",
                CHAT,
                Behavior.sse(OpenAiWire.chatStream("gpt-4o", List.of("From", " GPT"), true), Duration.ZERO));

        var accumulator = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> stream = client.messages()
                .createStreaming(MessageCreateParams.builder()
                        .model("claude-or-gpt")
                        .maxTokens(100)
                        .addUserMessage("Hello")
                        .build())) {
            stream.stream().forEach(accumulator::accumulate);
        }

        assertThat(ANTHROPIC.count(MESSAGES)).isEqualTo(1);
        assertThat(OPENAI.count(CHAT)).isEqualTo(1);
        assertThat(accumulator.message().content().get(0).text().orElseThrow().text())
                .isEqualTo("From GPT");
        assertThat(accumulator.message().model().asString()).isEqualTo("claude-or-gpt");
    }

    @Test
    void whenEveryTargetIsOverloadedTheClientGets529() {
        ANTHROPIC.on(
                "POST", MESSAGES, Behavior.json(529, Fixtures.text("/fixtures/anthropic/error.529.overloaded.json")));

        assertThatThrownBy(() -> client.messages()
                        .create(MessageCreateParams.builder()
                                .model(CLAUDE)
                                .maxTokens(100)
                                .addUserMessage("Hello")
                                .build()))
                .isInstanceOf(OverloadedException.class)
                .satisfies(e ->
                        assertThat(((AnthropicServiceException) e).statusCode()).isEqualTo(529));
    }

    // --- translated: a fake OpenAI-compatible upstream -------------------------------------------

    @Test
    void translatedCreateWithTheSdk() {
        OPENAI.on("POST", CHAT, Behavior.json(200, OpenAiWire.chatCompletion("gpt-4o", "Hello from GPT")));

        Message message = client.messages()
                .create(MessageCreateParams.builder()
                        .model(GPT)
                        .maxTokens(256)
                        .system("Be brief.")
                        .putAdditionalBodyProperty("temperature", JsonValue.from(0.5))
                        .addUserMessage("Hello")
                        .stopSequences(List.of("END"))
                        .build());

        assertThat(message.model().asString()).isEqualTo(GPT);
        assertThat(message.content())
                .singleElement()
                .satisfies(
                        block -> assertThat(block.text().orElseThrow().text()).isEqualTo("Hello from GPT"));
        assertThat(message.stopReason()).hasValue(StopReason.END_TURN);
        assertThat(message.usage().inputTokens()).isEqualTo(OpenAiWire.PROMPT_TOKENS);
        assertThat(message.usage().outputTokens()).isEqualTo(OpenAiWire.COMPLETION_TOKENS);

        JsonNode sent = OPENAI.lastRequest(CHAT).bodyJson();
        assertThat(sent.get("model").asText()).isEqualTo("gpt-4o");
        assertThat(sent.get("max_tokens").asInt()).isEqualTo(256);
        assertThat(sent.get("temperature").asDouble()).isEqualTo(0.5);
        assertThat(sent.get("stop").get(0).asText()).isEqualTo("END");
        assertThat(sent.get("messages").get(0).get("role").asText()).isEqualTo("system");
        assertThat(sent.get("messages").get(0).get("content").asText()).isEqualTo("Be brief.");
        assertThat(sent.get("messages").get(1).get("content").asText()).isEqualTo("Hello");
    }

    @Test
    void translatedStreamsAreTheExactAnthropicEventSequence() throws Exception {
        OPENAI.on(
                "POST", CHAT, Behavior.sse(OpenAiWire.chatStream("gpt-4o", List.of("Hel", "lo"), true), Duration.ZERO));

        var raw = post(MESSAGES, """
                {"model":"%s","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"hi"}]}""".formatted(GPT), "x-api-key", KEY);

        assertThat(raw.statusCode()).isEqualTo(200);
        assertThat(raw.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/event-stream");
        List<String[]> events = parseSse(raw.body());
        assertThat(events)
                .extracting(e -> e[0])
                .containsExactly(
                        "message_start",
                        "ping",
                        "content_block_start",
                        "content_block_delta",
                        "content_block_delta",
                        "content_block_stop",
                        "message_delta",
                        "message_stop");
        for (String[] event : events) {
            assertThat(JSON.readTree(event[1]).get("type").asText()).isEqualTo(event[0]);
        }
        JsonNode start = JSON.readTree(events.get(0)[1]).get("message");
        assertThat(start.get("model").asText()).isEqualTo(GPT);
        assertThat(start.get("role").asText()).isEqualTo("assistant");
        assertThat(JSON.readTree(events.get(3)[1]).at("/delta/type").asText()).isEqualTo("text_delta");
        assertThat(JSON.readTree(events.get(3)[1]).at("/delta/text").asText()).isEqualTo("Hel");
        JsonNode delta = JSON.readTree(events.get(6)[1]);
        assertThat(delta.at("/delta/stop_reason").asText()).isEqualTo("end_turn");
        assertThat(delta.at("/usage/output_tokens").asInt()).isEqualTo(OpenAiWire.COMPLETION_TOKENS);
        assertThat(delta.at("/usage/input_tokens").asInt()).isEqualTo(OpenAiWire.PROMPT_TOKENS);
        // The upstream was asked for its usage, which the ledger needs.
        assertThat(OPENAI.lastRequest(CHAT)
                        .bodyJson()
                        .at("/stream_options/include_usage")
                        .asBoolean())
                .isTrue();
    }

    @Test
    void translatedStreamWithTheSdkAccumulator() {
        OPENAI.on(
                "POST",
                CHAT,
                Behavior.sse(
                        OpenAiWire.toolCallStream(
                                "gpt-4o", "call_1", "get_weather", List.of("{\"city\":", "\"Paris\"}")),
                        Duration.ZERO));

        var accumulator = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> stream = client.messages()
                .createStreaming(MessageCreateParams.builder()
                        .model(GPT)
                        .maxTokens(100)
                        .addTool(weatherTool())
                        .addUserMessage("Weather in Paris?")
                        .build())) {
            stream.stream().forEach(accumulator::accumulate);
        }

        Message message = accumulator.message();
        ToolUseBlock tool = message.content().get(0).toolUse().orElseThrow();
        assertThat(tool.id()).isEqualTo("call_1");
        assertThat(tool.name()).isEqualTo("get_weather");
        assertThat(tool._input().convert(Map.class)).isEqualTo(Map.of("city", "Paris"));
        assertThat(message.stopReason()).hasValue(StopReason.TOOL_USE);
    }

    // --- translated: the offline builtin provider ------------------------------------------------

    @Test
    void theBuiltinEchoAnswersAMessagesCreate() {
        Message message = client.messages()
                .create(MessageCreateParams.builder()
                        .model("builtin/echo")
                        .maxTokens(64)
                        .addUserMessage("Hello there, gateway")
                        .build());

        assertThat(message.model().asString()).isEqualTo("builtin/echo");
        assertThat(message.content())
                .singleElement()
                .satisfies(
                        block -> assertThat(block.text().orElseThrow().text()).isEqualTo("Hello there, gateway"));
        assertThat(message.stopReason()).hasValue(StopReason.END_TURN);
        assertThat(message.usage().inputTokens()).isEqualTo(3);
        assertThat(message.usage().outputTokens()).isEqualTo(3);
    }

    @Test
    void theBuiltinEchoStreamsTheAnthropicEventSequence() {
        var streamed = AnthropicSdk.stream(
                client,
                MessageCreateParams.builder()
                        .model("builtin/echo")
                        .maxTokens(64)
                        .addUserMessage("one two three")
                        .build());

        assertThat(streamed.types()).isEqualTo(AnthropicSdk.oneTextBlock(3));
        Message message = streamed.message();
        assertThat(message.model().asString()).isEqualTo("builtin/echo");
        assertThat(message.content())
                .singleElement()
                .satisfies(
                        block -> assertThat(block.text().orElseThrow().text()).isEqualTo("one two three"));
        assertThat(message.stopReason()).hasValue(StopReason.END_TURN);
        assertThat(message.usage().outputTokens()).isEqualTo(3);
    }

    @Test
    void aToolUseLoopTranslatesBothWays() throws Exception {
        OPENAI.onNext(
                "POST",
                CHAT,
                Behavior.json(
                        200, OpenAiWire.toolCallCompletion("gpt-4o", "call_42", "get_weather", "{\"city\":\"Paris\"}")),
                Behavior.json(200, OpenAiWire.chatCompletion("gpt-4o", "It is sunny in Paris.")));

        var first = MessageCreateParams.builder()
                .model(GPT)
                .maxTokens(100)
                .addTool(weatherTool())
                .addUserMessage("Weather in Paris?");
        Message call = client.messages().create(first.build());
        assertThat(call.stopReason()).hasValue(StopReason.TOOL_USE);
        ToolUseBlock tool = call.content().stream()
                .map(ContentBlock::toolUse)
                .flatMap(java.util.Optional::stream)
                .findFirst()
                .orElseThrow();
        assertThat(tool.id()).isEqualTo("call_42");

        Message answer = client.messages()
                .create(first.addMessage(call)
                        .addUserMessageOfContentBlockParams(
                                List.of(ContentBlockParam.ofToolResult(ToolResultBlockParam.builder()
                                        .toolUseId(tool.id())
                                        .content("sunny, 24°C")
                                        .build())))
                        .build());

        assertThat(answer.content().get(0).text().orElseThrow().text()).isEqualTo("It is sunny in Paris.");
        JsonNode sent = OPENAI.requests(CHAT).get(1).bodyJson();
        JsonNode messages = sent.get("messages");
        assertThat(messages.get(1).get("role").asText()).isEqualTo("assistant");
        assertThat(messages.get(1).at("/tool_calls/0/id").asText()).isEqualTo("call_42");
        assertThat(messages.get(1).at("/tool_calls/0/function/name").asText()).isEqualTo("get_weather");
        assertThat(JSON.readTree(
                        messages.get(1).at("/tool_calls/0/function/arguments").asText()))
                .isEqualTo(JSON.createObjectNode().put("city", "Paris"));
        assertThat(messages.get(2).get("role").asText()).isEqualTo("tool");
        assertThat(messages.get(2).get("tool_call_id").asText()).isEqualTo("call_42");
        assertThat(messages.get(2).get("content").asText()).isEqualTo("sunny, 24°C");
        assertThat(sent.at("/tools/0/function/name").asText()).isEqualTo("get_weather");
        assertThat(sent.at("/tools/0/function/parameters/properties/city/type").asText())
                .isEqualTo("string");
    }

    @Test
    void countTokensElsewhereIsTheGatewaysEstimate() {
        var count = client.messages()
                .countTokens(MessageCountTokensParams.builder()
                        .model(GPT)
                        .system("Be brief.")
                        .addUserMessage("Hello there, how are you today?")
                        .build());

        // CostEstimator: ceil(9/4) + 4 for the system message, ceil(31/4) + 4 for the user's.
        assertThat(count.inputTokens()).isEqualTo(3 + 4 + 8 + 4);
        assertThat(OPENAI.requests()).isEmpty();
    }

    @Test
    void aFailureAfterTheFirstByteIsAnAnthropicErrorEvent() throws Exception {
        List<String> frames = OpenAiWire.chatStream("gpt-4o", List.of("partial", " answer", " never", " ends"), true);
        OPENAI.on("POST", CHAT, Behavior.sseThenCut(frames, Duration.ofMillis(20), 3));

        var raw = post(MESSAGES, """
                {"model":"%s","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"hi"}]}""".formatted(GPT), "x-api-key", KEY);

        List<String[]> events = parseSse(raw.body());
        String[] last = events.get(events.size() - 1);
        assertThat(last[0]).isEqualTo("error");
        JsonNode error = JSON.readTree(last[1]);
        assertThat(error.get("type").asText()).isEqualTo("error");
        assertThat(error.at("/error/type").asText()).isEqualTo("api_error");
        assertThat(error.at("/error/message").asText()).isNotBlank();
        assertThat(events).extracting(e -> e[0]).contains("content_block_delta").doesNotContain("message_stop");
    }

    @Test
    void whatOnlyAnthropicCanDoIsA400ElsewhereNamingIt() throws Exception {
        var response = post(MESSAGES, """
                {"model":"%s","max_tokens":64,"messages":[{"role":"user","content":[
                  {"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"JVBERi0="}}]}]}""".formatted(GPT), "x-api-key", KEY);

        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("type").asText()).isEqualTo("error");
        assertThat(body.at("/error/type").asText()).isEqualTo("invalid_request_error");
        assertThat(body.at("/error/message").asText()).contains("document");
        assertThat(OPENAI.requests()).isEmpty();
    }

    // --- errors in Anthropic's shape ---------------------------------------------------------------

    @Test
    void errorStatusesBecomeTheSdksExceptionTypes() {
        var params = MessageCreateParams.builder()
                .model(GPT)
                .maxTokens(10)
                .addUserMessage("hi")
                .build();

        assertThatThrownBy(() -> sdk("sk-wrong").messages().create(params)).isInstanceOf(UnauthorizedException.class);
        assertThatThrownBy(() -> client.messages()
                        .create(MessageCreateParams.builder()
                                .model("nobody/no-such-model")
                                .maxTokens(10)
                                .addUserMessage("hi")
                                .build()))
                .isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> client.messages()
                        .create(MessageCreateParams.builder()
                                .model(GPT)
                                .maxTokens(10)
                                .addUserMessage("hi")
                                .putAdditionalBodyProperty("temperature", JsonValue.from("hot"))
                                .build()))
                .isInstanceOf(BadRequestException.class);

        OPENAI.on(
                "POST",
                CHAT,
                Behavior.json(
                        429,
                        OpenAiWire.error("Slow down", "requests", null, "rate_limit_exceeded"),
                        Map.of("retry-after", "1")));
        assertThatThrownBy(() -> client.messages().create(params))
                .isInstanceOf(RateLimitException.class)
                .satisfies(e -> assertThat(
                                ((RateLimitException) e).type().orElseThrow().asString())
                        .isEqualTo("rate_limit_error"));
    }

    @Test
    void hostileInputIsAnAnthropicShaped4xx() throws Exception {
        String[][] cases = {
            {"{not json", "400"},
            {"[1,2,3]", "400"},
            {"{\"model\":\"" + GPT + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "400"},
            {"{\"model\":\"" + GPT + "\",\"max_tokens\":\"ten\",\"messages\":[]}", "400"},
            {"{\"model\":\"" + GPT + "\",\"max_tokens\":0,\"messages\":[]}", "400"},
            {"{\"model\":42,\"max_tokens\":10,\"messages\":[]}", "400"},
            {"{\"model\":\"" + GPT + "\",\"max_tokens\":10,\"messages\":{}}", "400"},
            {
                "{\"model\":\"" + GPT + "\",\"max_tokens\":10,\"messages\":[{\"role\":\"system\",\"content\":\"x\"}]}",
                "400"
            },
            {
                "{\"model\":\"" + GPT
                        + "\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":1}]}]}",
                "400"
            },
            {"{\"model\":\"" + GPT + "\",\"max_tokens\":10,\"messages\":[],\"stream\":\"yes\"}", "400"},
            {
                "{\"model\":\"" + GPT + "\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\""
                        + "x".repeat(300 * 1024) + "\"}]}",
                "413"
            },
        };
        for (String[] c : cases) {
            var response = post(MESSAGES, c[0], "x-api-key", KEY);
            assertThat(response.statusCode())
                    .as(c[0].length() > 200 ? "oversized" : c[0])
                    .isEqualTo(Integer.parseInt(c[1]));
            JsonNode body = JSON.readTree(response.body());
            assertThat(body.get("type").asText()).isEqualTo("error");
            assertThat(body.at("/error/type").asText())
                    .isEqualTo(c[1].equals("413") ? "request_too_large" : "invalid_request_error");
            assertThat(body.at("/error/message").asText()).isNotBlank().doesNotContain("Exception");
            assertThat(body.get("request_id").asText())
                    .isEqualTo(response.headers().firstValue("X-Request-Id").orElseThrow());
        }
        var missing = post(MESSAGES, "{\"model\":\"" + GPT + "\",\"messages\":[]}", "x-api-key", KEY);
        assertThat(JSON.readTree(missing.body()).at("/error/message").asText()).isEqualTo("max_tokens: Field required");
        var noKey = post(MESSAGES, "{}");
        assertThat(noKey.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(noKey.body()).at("/error/type").asText()).isEqualTo("authentication_error");
        var bearer = post(MESSAGES, "{\"model\":\"" + GPT + "\",\"messages\":[]}", "Authorization", "Bearer " + KEY);
        assertThat(bearer.statusCode()).isEqualTo(400);
        assertThat(OPENAI.requests()).isEmpty();
        assertThat(ANTHROPIC.requests()).isEmpty();
    }

    @Test
    void aMessagesCallWritesOneLedgerRow() throws Exception {
        OPENAI.on("POST", CHAT, Behavior.json(200, OpenAiWire.chatCompletion("gpt-4o", "Hello")));
        String requestId = "req-messages-ledger-" + System.nanoTime();

        var response = post(MESSAGES, """
                {"model":"%s","max_tokens":64,"messages":[{"role":"user","content":"hi"}]}""".formatted(GPT), "x-api-key", KEY, "X-Request-Id", requestId);
        assertThat(response.statusCode()).isEqualTo(200);

        List<Object> row = ledgerRow(requestId);
        // 19 × $2.50 + 10 × $10.00 per million tokens, in micro-dollars, rounded up.
        assertThat(row)
                .containsExactly(
                        MESSAGES,
                        "openai",
                        GPT,
                        false,
                        200,
                        (long) OpenAiWire.PROMPT_TOKENS,
                        (long) OpenAiWire.COMPLETION_TOKENS,
                        (19 * 2_500_000L + 10 * 10_000_000L + 999_999) / 1_000_000);
    }

    @Test
    void aNativeStreamsUsageReachesTheLedger() throws Exception {
        ANTHROPIC.on(
                "POST",
                MESSAGES,
                Behavior.sse(sseEvents(Fixtures.text("/fixtures/anthropic/stream.tool_use.sse")), Duration.ZERO));
        String requestId = "req-messages-native-" + System.nanoTime();

        var response = post(MESSAGES, """
                {"model":"%s","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"hi"}]}""".formatted(CLAUDE), "x-api-key", KEY, "X-Request-Id", requestId);
        assertThat(response.statusCode()).isEqualTo(200);

        // message_start's input tokens and message_delta's output tokens: 472 × $3 + 89 × $15 per million.
        assertThat(ledgerRow(requestId))
                .containsExactly(
                        MESSAGES,
                        "anthropic",
                        CLAUDE,
                        true,
                        200,
                        472L,
                        89L,
                        (472 * 3_000_000L + 89 * 15_000_000L + 999_999) / 1_000_000);
    }

    /** The one ledger row of a request, waited for: endpoint, provider, model, streamed, status, tokens, cost. */
    private static List<Object> ledgerRow(String requestId) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (true) {
            try (var db = DriverManager.getConnection("jdbc:sqlite:" + DB);
                    var query = db.prepareStatement(
                            "SELECT endpoint, provider, model_requested, streamed, status,"
                                    + " prompt_tokens, completion_tokens, cost_micros FROM usage_ledger WHERE request_id = ?")) {
                query.setString(1, requestId);
                try (var rows = query.executeQuery()) {
                    if (rows.next()) {
                        List<Object> row = List.of(
                                rows.getString(1),
                                rows.getString(2),
                                rows.getString(3),
                                rows.getBoolean(4),
                                rows.getInt(5),
                                rows.getLong(6),
                                rows.getLong(7),
                                rows.getLong(8));
                        assertThat(rows.next()).as("one row").isFalse();
                        return row;
                    }
                }
            }
            assertThat(System.nanoTime()).as("a ledger row within 5 s").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    // --- helpers ------------------------------------------------------------------------------------

    private static Tool weatherTool() {
        return Tool.builder()
                .name("get_weather")
                .description("The weather in a city")
                .inputSchema(Tool.InputSchema.builder()
                        .properties(JsonValue.from(Map.of("city", Map.of("type", "string"))))
                        .required(List.of("city"))
                        .build())
                .build();
    }

    private static HttpResponse<String> post(String path, String body, String... headers) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(GatewayFixture.baseUrl(APP) + path))
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return GatewayFixture.HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A fixture's events as frames the fake upstream writes one at a time. */
    private static List<String> sseEvents(String text) {
        return Arrays.stream(text.replace("\r\n", "\n").split("\n\n"))
                .filter(frame -> !frame.isBlank())
                .map(frame -> frame.strip() + "\n\n")
                .toList();
    }

    /** Each event of a stream as {name, data}; comments skipped. */
    static List<String[]> parseSse(String body) {
        var events = new ArrayList<String[]>();
        for (String frame : body.replace("\r\n", "\n").split("\n\n")) {
            String name = null;
            var data = new StringBuilder();
            for (String line : frame.split("\n")) {
                if (line.startsWith("event:")) {
                    name = line.substring(6).strip();
                } else if (line.startsWith("data:")) {
                    if (!data.isEmpty()) {
                        data.append('\n');
                    }
                    data.append(line.substring(5).stripLeading());
                }
            }
            if (name != null || !data.isEmpty()) {
                events.add(new String[] {name, data.toString()});
            }
        }
        return events;
    }
}
