package io.switchboard.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.errors.BadRequestException;
import com.openai.errors.InternalServerException;
import com.openai.errors.OpenAIServiceException;
import com.openai.errors.SseException;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionContentPart;
import com.openai.models.chat.completions.ChatCompletionContentPartImage;
import com.openai.models.chat.completions.ChatCompletionContentPartText;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import com.openai.models.models.Model;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.ResourceHelpers;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.switchboard.SwitchboardApplication;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.testing.Behavior;
import io.switchboard.testing.FakeUpstream;
import io.switchboard.testing.Fixtures;
import io.switchboard.testing.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The official OpenAI SDK, through the gateway, against a fake upstream that speaks Anthropic's
 * Messages API on loopback: the client never learns it is not talking to OpenAI.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class AnthropicIntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MESSAGES = "/v1/messages";
    private static final String MODELS = "/v1/models";
    private static final String SONNET = "anthropic/claude-sonnet-4-5";
    private static final String NEXT_SONNET = "claude-next/claude-sonnet-4-5";
    /** A 1×1 PNG. */
    private static final String PNG =
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

    private static final FakeUpstream UPSTREAM = startUpstream();
    private static final DropwizardAppExtension<SwitchboardConfiguration> APP = new DropwizardAppExtension<>(
            SwitchboardApplication.class,
            ResourceHelpers.resourceFilePath("anthropic-test-config.yml"),
            ConfigOverride.config("providers[0].baseUrl", UPSTREAM::baseUrl),
            ConfigOverride.config("providers[1].baseUrl", UPSTREAM::baseUrl));

    /** The model-list requests discovery made at startup, kept before the first reset. */
    private static List<RecordedRequest> discovery;

    private OpenAIClient client;

    /** Two pages of models, served in order to the discovery at startup. */
    private static FakeUpstream startUpstream() {
        var upstream = FakeUpstream.start();
        upstream.onNext("GET", MODELS, Behavior.json(200, """
                        {"data":[{"type":"model","id":"claude-sonnet-4-5","display_name":"Claude Sonnet 4.5",
                                  "created_at":"2025-09-29T00:00:00Z"},
                                 {"type":"model","id":"claude-opus-4-1","display_name":"Claude Opus 4.1",
                                  "created_at":"2025-08-05T00:00:00Z"}],
                         "has_more":true,"first_id":"claude-sonnet-4-5","last_id":"claude-opus-4-1"}"""), Behavior.json(200, """
                        {"data":[{"type":"model","id":"claude-3-5-haiku-20241022","display_name":"Claude Haiku 3.5",
                                  "created_at":"2024-10-22T00:00:00Z"}],
                         "has_more":false,"first_id":"claude-3-5-haiku-20241022","last_id":"claude-3-5-haiku-20241022"}"""));
        return upstream;
    }

    @BeforeAll
    static void keepDiscovery() {
        discovery = UPSTREAM.requests(MODELS);
    }

    @BeforeEach
    void setUp() {
        UPSTREAM.reset();
        client = GatewayFixture.openAi(APP);
    }

    @AfterAll
    static void stopUpstream() {
        UPSTREAM.close();
    }

    @Test
    void modelsAreDiscoveredPageByPageAtStartup() {
        assertThat(discovery).hasSize(2);
        assertThat(discovery.get(0).query()).isEqualTo("limit=1000");
        assertThat(discovery.get(1).query()).isEqualTo("limit=1000&after_id=claude-opus-4-1");
        for (RecordedRequest request : discovery) {
            assertThat(request.header("x-api-key")).isEqualTo("sk-ant-test-secret");
            assertThat(request.header("anthropic-version")).isEqualTo("2023-06-01");
        }

        List<Model> models = client.models().list().data();
        assertThat(models)
                .extracting(Model::id)
                .contains(SONNET, "anthropic/claude-opus-4-1", "anthropic/claude-3-5-haiku-20241022", NEXT_SONNET);
        Model sonnet =
                models.stream().filter(m -> m.id().equals(SONNET)).findFirst().orElseThrow();
        assertThat(sonnet.created()).isEqualTo(1759104000L);
        assertThat(sonnet.ownedBy()).isEqualTo("anthropic");
    }

    @Test
    void textWithSystemMessagesAndTheAnthropicHeaders() throws Exception {
        UPSTREAM.on(
                "POST",
                MESSAGES,
                Behavior.json(200, fixture("messages.text.response.json"), Map.of("request-id", "req_1")));

        ChatCompletion completion = client.chat()
                .completions()
                .create(ChatCompletionCreateParams.builder()
                        .model(SONNET)
                        .addSystemMessage("You are Claude.")
                        .addUserMessage("Hello, who are you?")
                        .addDeveloperMessage("Be brief.")
                        .temperature(0.2)
                        .build());

        assertThat(completion.choices().get(0).message().content()).contains("Hi! My name is Claude.");
        assertThat(completion.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        assertThat(completion.model()).isEqualTo(SONNET);
        assertThat(completion.id()).isEqualTo("msg_013Zva2CMHLNnXjNJJKqJ2EF");
        var usage = completion.usage().orElseThrow();
        assertThat(usage.promptTokens()).isEqualTo(2095);
        assertThat(usage.completionTokens()).isEqualTo(503);
        assertThat(usage.totalTokens()).isEqualTo(2598);

        RecordedRequest received = UPSTREAM.lastRequest(MESSAGES);
        assertThat(received.header("x-api-key")).isEqualTo("sk-ant-test-secret");
        assertThat(received.header("anthropic-version")).isEqualTo("2023-06-01");
        assertThat(received.header("anthropic-beta")).isEqualTo("test-beta-2025-01-01");
        assertThat(received.header("authorization")).isNull();
        assertThat(received.header("content-type")).startsWith("application/json");
        assertThat(received.bodyJson()).isEqualTo(JSON.readTree("""
                {"model":"claude-sonnet-4-5","max_tokens":4096,"system":"You are Claude.\\n\\nBe brief.",
                 "messages":[{"role":"user","content":"Hello, who are you?"}],"temperature":0.2}"""));
    }

    @Test
    void version20261021SendsABearerKeyAndNoSamplingParameters() {
        UPSTREAM.on("POST", MESSAGES, Behavior.json(200, fixture("messages.text.response.json")));

        client.chat()
                .completions()
                .create(ChatCompletionCreateParams.builder()
                        .model(NEXT_SONNET)
                        .addUserMessage("hi")
                        .temperature(0.2)
                        .topP(0.5)
                        .build());

        RecordedRequest received = UPSTREAM.lastRequest(MESSAGES);
        assertThat(received.header("authorization")).isEqualTo("Bearer sk-ant-next-secret");
        assertThat(received.header("x-api-key")).isNull();
        assertThat(received.header("anthropic-version")).isEqualTo("2026-10-21");
        JsonNode body = received.bodyJson();
        assertThat(body.has("temperature")).isFalse();
        assertThat(body.has("top_p")).isFalse();
        assertThat(body.get("max_tokens").asInt())
                .as("that provider's defaultMaxTokens")
                .isEqualTo(256);
    }

    @Test
    void streamedTextArrivesAsTheUpstreamSendsIt() {
        var gap = Duration.ofMillis(250);
        List<String> events = events("stream.text.sse");
        UPSTREAM.on("POST", MESSAGES, Behavior.sse(events, gap));

        var params = ChatCompletionCreateParams.builder()
                .model(SONNET)
                .addUserMessage("Hello")
                .maxCompletionTokens(50)
                .streamOptions(
                        ChatCompletionStreamOptions.builder().includeUsage(true).build())
                .build();
        var streamed = GatewayFixture.streamChat(client, params, SONNET);
        var arrivals = streamed.arrivalsMillis();
        long total = streamed.totalMillis();

        assertThat(streamed.text()).isEqualTo("Hello!");
        ChatCompletion completion = streamed.completion();
        assertThat(completion.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        assertThat(completion.usage().orElseThrow().promptTokens()).isEqualTo(25);
        assertThat(completion.usage().orElseThrow().completionTokens()).isEqualTo(15);
        // The upstream spends 7 gaps on 8 events; the first chunk must not wait for the last event.
        assertThat(total).isGreaterThanOrEqualTo(6 * gap.toMillis());
        assertThat(arrivals.get(0)).isLessThan(total - 4 * gap.toMillis());
        JsonNode sent = UPSTREAM.lastRequest(MESSAGES).bodyJson();
        assertThat(sent.get("stream").asBoolean()).isTrue();
        assertThat(sent.get("max_tokens").asInt()).isEqualTo(50);
        assertThat(sent.has("stream_options")).isFalse();
    }

    @Test
    void toolCallAndItsResultMakeARoundTrip() throws Exception {
        UPSTREAM.onNext(
                "POST",
                MESSAGES,
                Behavior.json(200, fixture("messages.tool_use.response.json")),
                Behavior.json(200, fixture("messages.tool_result.response.json")));

        ChatCompletion first =
                client.chat().completions().create(weatherParams().build());

        var message = first.choices().get(0).message();
        var call = message.toolCalls().orElseThrow().get(0).asFunction();
        assertThat(call.id()).isEqualTo("toolu_01A09q90qw90lq917835lq9");
        assertThat(call.function().name()).isEqualTo("get_weather");
        assertThat(JSON.readTree(call.function().arguments()))
                .isEqualTo(JSON.readTree("{\"location\":\"San Francisco, CA\",\"unit\":\"celsius\"}"));
        assertThat(first.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        JsonNode firstSent = UPSTREAM.requests(MESSAGES).get(0).bodyJson();
        assertThat(firstSent.get("tools"))
                .isEqualTo(
                        JSON.readTree(fixture("messages.tool_use.request.json")).get("tools"));
        assertThat(firstSent.get("tool_choice").toString()).isEqualTo("{\"type\":\"auto\"}");

        ChatCompletion second = client.chat()
                .completions()
                .create(weatherParams()
                        .addMessage(message)
                        .addMessage(ChatCompletionToolMessageParam.builder()
                                .toolCallId(call.id())
                                .content("15 degrees")
                                .build())
                        .build());

        assertThat(second.choices().get(0).message().content())
                .hasValueSatisfying(content ->
                        assertThat(content).startsWith("The current weather in San Francisco is 15 degrees"));
        JsonNode secondSent = UPSTREAM.requests(MESSAGES).get(1).bodyJson();
        JsonNode documented = JSON.readTree(fixture("messages.tool_result.request.json"));
        assertThat(secondSent.get("messages")).isEqualTo(documented.get("messages"));
    }

    @Test
    void streamedToolCallAccumulatesIntoOneCall() throws Exception {
        UPSTREAM.on("POST", MESSAGES, Behavior.sse(events("stream.tool_use.sse"), Duration.ofMillis(5)));

        var accumulator = ChatCompletionAccumulator.create();
        try (var stream =
                client.chat().completions().createStreaming(weatherParams().build())) {
            stream.stream().forEach(accumulator::accumulate);
        }

        ChatCompletion completion = accumulator.chatCompletion();
        var message = completion.choices().get(0).message();
        assertThat(message.content()).contains("Okay, let's check the weather for San Francisco, CA:");
        var call = message.toolCalls().orElseThrow().get(0).asFunction();
        assertThat(call.id()).isEqualTo("toolu_01T1x1fJ34qAmk2tNTrN7Up6");
        assertThat(call.function().name()).isEqualTo("get_weather");
        assertThat(JSON.readTree(call.function().arguments()))
                .isEqualTo(JSON.readTree("{\"location\": \"San Francisco, CA\", \"unit\": \"fahrenheit\"}"));
        assertThat(completion.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
    }

    @Test
    void imageDataUrlReachesTheUpstreamAsABase64Block() throws Exception {
        UPSTREAM.on("POST", MESSAGES, Behavior.json(200, fixture("messages.text.response.json")));

        client.chat()
                .completions()
                .create(ChatCompletionCreateParams.builder()
                        .model(SONNET)
                        .addUserMessageOfArrayOfContentParts(List.of(
                                ChatCompletionContentPart.ofText(ChatCompletionContentPartText.builder()
                                        .text("What is this?")
                                        .build()),
                                ChatCompletionContentPart.ofImageUrl(ChatCompletionContentPartImage.builder()
                                        .imageUrl(ChatCompletionContentPartImage.ImageUrl.builder()
                                                .url("data:image/png;base64," + PNG)
                                                .detail(ChatCompletionContentPartImage.ImageUrl.Detail.HIGH)
                                                .build())
                                        .build())))
                        .build());

        JsonNode content =
                UPSTREAM.lastRequest(MESSAGES).bodyJson().get("messages").get(0).get("content");
        assertThat(content).isEqualTo(JSON.readTree("""
                [{"type":"text","text":"What is this?"},
                 {"type":"image","source":{"type":"base64","media_type":"image/png","data":"%s"}}]""".formatted(PNG)));
    }

    @Test
    void moreThanOneChoiceIsAClear400WithoutAnUpstreamCall() {
        assertThatThrownBy(() -> client.chat()
                        .completions()
                        .create(ChatCompletionCreateParams.builder()
                                .model(SONNET)
                                .addUserMessage("hi")
                                .n(3)
                                .build()))
                .isInstanceOfSatisfying(BadRequestException.class, e -> {
                    assertThat(e.param()).contains("n");
                    assertThat(e.type()).contains("invalid_request_error");
                    assertThat(e.code()).contains("unsupported_value");
                    assertThat(e.getMessage()).contains("anthropic: n > 1 is not supported by Anthropic models");
                });
        assertThat(UPSTREAM.count(MESSAGES)).isZero();
    }

    @Test
    void whatAnthropicCannotExpressFallsBackWithoutCountingAnUpstreamError() throws Exception {
        var response = GatewayFixture.postJson(
                APP,
                "/v1/chat/completions",
                "{\"model\":\"careful\",\"n\":2,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("X-Switchboard-Provider")).contains("echo");
        assertThat(response.headers().firstValue("X-Switchboard-Attempts")).contains("2");
        assertThat(UPSTREAM.count(MESSAGES)).isZero();
        var metrics = GatewayFixture.HTTP
                .send(
                        java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                                        "http://127.0.0.1:" + APP.getAdminPort() + "/metrics/prometheus"))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString())
                .body();
        assertThat(PrometheusText.parse(metrics)
                        .sum(
                                "switchboard_upstream_errors_total",
                                Map.of("provider", "anthropic", "kind", "unsupported")))
                .as("a refusal is not an upstream call")
                .isZero();
        assertThat(PrometheusText.parse(metrics)
                        .value(
                                "switchboard_route_fallbacks_total",
                                Map.of("from", "anthropic", "to", "echo", "kind", "unsupported")))
                .isPositive();
    }

    @Test
    void operationsAnthropicLacksAreA400FromTheRouter() throws Exception {
        var response = GatewayFixture.postJson(APP, "/v1/embeddings", "{\"model\":\"" + SONNET + "\",\"input\":\"x\"}");

        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode error = JSON.readTree(response.body()).get("error");
        assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.get("message").asText()).contains("does not support embeddings");
    }

    @ParameterizedTest(name = "upstream {0} ({3}) → {1} {2}")
    @CsvSource(
            delimiter = '|',
            nullValues = "null",
            value = {
                "400|400|BadRequestException|error.400.system-role.json|invalid_request_error|null",
                "401|401|UnauthorizedException|error.401.invalid-key.json|authentication_error|null",
                "403|403|PermissionDeniedException|permission_error|permission_error|null",
                "404|404|NotFoundException|error.shape.json|not_found_error|null",
                "429|429|RateLimitException|rate_limit_error|rate_limit_error|null",
                "500|502|InternalServerException|api_error|api_error|upstream_error",
                "529|503|InternalServerException|error.529.overloaded.json|api_error|overloaded_error",
                "402|402|UnexpectedStatusCodeException|billing_error|billing_error|null",
                "413|413|UnexpectedStatusCodeException|request_too_large|invalid_request_error|request_too_large",
                "504|502|InternalServerException|timeout_error|api_error|timeout_error",
            })
    void upstreamErrorsReachTheSdkAsTheMatchingException(
            int upstreamStatus, int clientStatus, String exception, String body, String type, String code)
            throws Exception {
        String errorBody = body.endsWith(".json") ? fixture(body) : anthropicError(body);
        String message = JSON.readTree(errorBody).get("error").get("message").asText();
        Map<String, String> headers = upstreamStatus == 429 ? Map.of("retry-after", "30") : Map.of();
        UPSTREAM.on("POST", MESSAGES, Behavior.json(upstreamStatus, errorBody, headers));

        assertThatThrownBy(() -> client.chat()
                        .completions()
                        .create(ChatCompletionCreateParams.builder()
                                .model(SONNET)
                                .addUserMessage("hi")
                                .build()))
                .isInstanceOfSatisfying(OpenAIServiceException.class, e -> {
                    assertThat(e.getClass().getSimpleName()).isEqualTo(exception);
                    assertThat(e.statusCode()).isEqualTo(clientStatus);
                    assertThat(e.type()).contains(type);
                    assertThat(e.code()).isEqualTo(java.util.Optional.ofNullable(code));
                    assertThat(e.getMessage()).contains("anthropic: " + message);
                    if (upstreamStatus == 429) {
                        assertThat(e.headers().values("retry-after")).containsExactly("30");
                    }
                });

        // The same failure as raw HTTP: OpenAI's error shape and nothing else.
        var raw = GatewayFixture.postJson(
                APP,
                "/v1/chat/completions",
                "{\"model\":\"" + SONNET + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(raw.statusCode()).isEqualTo(clientStatus);
        JsonNode rawBody = JSON.readTree(raw.body());
        assertThat(rawBody.size()).isEqualTo(1);
        assertThat(rawBody.get("error").has("message")
                        && rawBody.get("error").has("type")
                        && rawBody.get("error").has("param")
                        && rawBody.get("error").has("code"))
                .isTrue();
    }

    @Test
    void errorEventMidStreamEndsTheStreamWithAnErrorEventAndDone() throws Exception {
        List<String> text = events("stream.text.sse");
        var script = new ArrayList<>(text.subList(0, 4)); // message_start … the "Hello" delta
        script.addAll(events("stream.error.overloaded.sse"));
        UPSTREAM.on("POST", MESSAGES, Behavior.sse(script, Duration.ofMillis(20)));

        var response = GatewayFixture.postJson(
                APP,
                "/v1/chat/completions",
                "{\"model\":\"" + SONNET + "\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        assertThat(response.statusCode()).isEqualTo(200);
        String[] frames = response.body().split("\n\n");
        assertThat(frames).hasSize(4);
        assertThat(frames[0]).contains("\"role\":\"assistant\"");
        assertThat(frames[1]).contains("\"content\":\"Hello\"");
        JsonNode error = JSON.readTree(frames[2].substring("data: ".length())).get("error");
        assertThat(error.get("type").asText()).isEqualTo("api_error");
        assertThat(error.get("code").asText()).isEqualTo("overloaded_error");
        assertThat(error.get("message").asText()).isEqualTo("anthropic: Overloaded");
        assertThat(frames[3]).isEqualTo("data: [DONE]");

        var seen = new ArrayList<String>();
        assertThatThrownBy(() -> {
                    try (var stream = client.chat()
                            .completions()
                            .createStreaming(ChatCompletionCreateParams.builder()
                                    .model(SONNET)
                                    .addUserMessage("hi")
                                    .build())) {
                        stream.stream()
                                .forEach(chunk -> chunk.choices()
                                        .forEach(c -> c.delta().content().ifPresent(seen::add)));
                    }
                })
                .isInstanceOf(SseException.class);
        assertThat(seen).containsExactly("", "Hello");
    }

    @Test
    void overloadedRightAfterMessageStartIsRetriedBeforeTheClientSeesAByte() throws Exception {
        // Anthropic's usual overload: message_start, content_block_start and a ping, then the error.
        // Nothing of the answer has been said yet, so the stream is not committed and the gateway
        // tries again; the client sees one clean stream.
        List<String> text = events("stream.text.sse");
        var overloaded = new ArrayList<>(text.subList(0, 3));
        overloaded.addAll(events("stream.error.overloaded.sse"));
        UPSTREAM.onNext(
                "POST",
                MESSAGES,
                Behavior.sse(overloaded, Duration.ofMillis(10)),
                Behavior.sse(text, Duration.ofMillis(5)));

        var response = GatewayFixture.postJson(
                APP,
                "/v1/chat/completions",
                "{\"model\":\"" + SONNET + "\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("X-Switchboard-Attempts")).hasValue("2");
        assertThat(UPSTREAM.requests(MESSAGES)).hasSize(2);
        assertThat(response.body())
                .doesNotContain("\"error\"")
                .contains("\"content\":\"Hello\"")
                .endsWith("data: [DONE]\n\n");
        assertThat(response.body().split("\"role\":\"assistant\"", -1))
                .as("one opening chunk")
                .hasSize(2);
    }

    @Test
    void errorEventBeforeAnyChunkIsAnOrdinaryHttpError() {
        UPSTREAM.on("POST", MESSAGES, Behavior.sse(events("stream.error.overloaded.sse"), Duration.ZERO));

        assertThatThrownBy(() -> {
                    try (var stream = client.chat()
                            .completions()
                            .createStreaming(ChatCompletionCreateParams.builder()
                                    .model(SONNET)
                                    .addUserMessage("hi")
                                    .build())) {
                        stream.stream().forEach(chunk -> {});
                    }
                })
                .isInstanceOfSatisfying(InternalServerException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(503);
                    assertThat(e.code()).contains("overloaded_error");
                });
    }

    private static ChatCompletionCreateParams.Builder weatherParams() {
        return ChatCompletionCreateParams.builder()
                .model(SONNET)
                .maxCompletionTokens(1024)
                .addUserMessage("What is the weather like in San Francisco?")
                .addFunctionTool(FunctionDefinition.builder()
                        .name("get_weather")
                        .description("Get the current weather in a given location")
                        .parameters(FunctionParameters.builder()
                                .putAdditionalProperty("type", JsonValue.from("object"))
                                .putAdditionalProperty(
                                        "properties",
                                        JsonValue.from(
                                                Map.of(
                                                        "location",
                                                                Map.of(
                                                                        "type",
                                                                        "string",
                                                                        "description",
                                                                        "The city and state, e.g. San Francisco, CA"),
                                                        "unit",
                                                                Map.of(
                                                                        "type",
                                                                        "string",
                                                                        "enum",
                                                                        List.of("celsius", "fahrenheit"),
                                                                        "description",
                                                                        "The unit of temperature, either \"celsius\" or \"fahrenheit\""))))
                                .putAdditionalProperty("required", JsonValue.from(List.of("location")))
                                .build())
                        .build())
                .toolChoice(com.openai.models.chat.completions.ChatCompletionToolChoiceOption.Auto.AUTO);
    }

    /** An Anthropic error body of {@code type}, in the documented shape, for statuses with no fixture. */
    private static String anthropicError(String type) {
        String message = switch (type) {
            case "permission_error" -> "Your API key does not have permission to use the specified resource.";
            case "rate_limit_error" -> "Number of request tokens has exceeded your per-minute rate limit";
            default -> "Internal server error";
        };
        return "{\"type\":\"error\",\"error\":{\"type\":\"" + type + "\",\"message\":\"" + message + "\"},"
                + "\"request_id\":\"req_test\"}";
    }

    /** The events of an SSE transcript, each a complete frame as the fake writes it. */
    private static List<String> events(String transcript) {
        return Arrays.stream(fixture(transcript).split("\n\n"))
                .filter(frame -> !frame.isBlank())
                .map(frame -> frame + "\n\n")
                .toList();
    }

    private static String fixture(String name) {
        return Fixtures.text("/fixtures/anthropic/" + name);
    }
}
