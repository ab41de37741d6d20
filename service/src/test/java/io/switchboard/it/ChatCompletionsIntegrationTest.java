package io.switchboard.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionContentPart;
import com.openai.models.chat.completions.ChatCompletionContentPartImage;
import com.openai.models.chat.completions.ChatCompletionContentPartText;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.testing.Behavior;
import io.switchboard.testing.FakeUpstream;
import io.switchboard.testing.OpenAiWire;
import io.switchboard.testing.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Chat completions through the gateway with the official SDK, against a fake OpenAI upstream. */
@ExtendWith(DropwizardExtensionsSupport.class)
class ChatCompletionsIntegrationTest {

    private static final FakeUpstream UPSTREAM = GatewayFixture.startUpstream();
    private static final DropwizardAppExtension<SwitchboardConfiguration> APP = GatewayFixture.app(UPSTREAM);

    private OpenAIClient client;

    @BeforeEach
    void setUp() {
        UPSTREAM.reset();
        GatewayFixture.listModels(UPSTREAM);
        client = GatewayFixture.openAi(APP);
    }

    @AfterAll
    static void stopUpstream() {
        UPSTREAM.close();
    }

    @Test
    void chatReachesTheUpstreamWithOnlyTheModelRewritten() {
        UPSTREAM.on(
                "POST",
                "/v1/chat/completions",
                Behavior.json(200, OpenAiWire.chatCompletion("gpt-4o-2024-08-06", "Hello from upstream")));

        var params = ChatCompletionCreateParams.builder()
                .model("fake/gpt-4o")
                .addDeveloperMessage("Be brief.")
                .addUserMessageOfArrayOfContentParts(List.of(
                        ChatCompletionContentPart.ofText(ChatCompletionContentPartText.builder()
                                .text("What is this?")
                                .build()),
                        ChatCompletionContentPart.ofImageUrl(ChatCompletionContentPartImage.builder()
                                .imageUrl(ChatCompletionContentPartImage.ImageUrl.builder()
                                        .url("https://example.com/cat.png")
                                        .detail(ChatCompletionContentPartImage.ImageUrl.Detail.LOW)
                                        .build())
                                .build())))
                .temperature(0.3)
                .putAdditionalBodyProperty("response_format", JsonValue.from(Map.of("type", "json_object")))
                .putAdditionalBodyProperty("x_future_parameter", JsonValue.from(Map.of("nested", List.of(1, 2, 3))))
                .build();
        ChatCompletion completion = client.chat().completions().create(params);

        assertThat(completion.choices().get(0).message().content()).contains("Hello from upstream");
        assertThat(completion.model()).as("the model the client asked for").isEqualTo("fake/gpt-4o");
        assertThat(completion.usage().orElseThrow().totalTokens()).isEqualTo(OpenAiWire.TOTAL_TOKENS);

        RecordedRequest received = UPSTREAM.lastRequest("/v1/chat/completions");
        JsonNode body = received.bodyJson();
        assertThat(body.get("model").asText()).isEqualTo("gpt-4o");
        assertThat(body.get("temperature").asDouble()).isEqualTo(0.3);
        assertThat(body.get("response_format").get("type").asText()).isEqualTo("json_object");
        assertThat(body.get("x_future_parameter").toString()).isEqualTo("{\"nested\":[1,2,3]}");
        assertThat(body.get("messages").get(0).get("role").asText()).isEqualTo("developer");
        JsonNode parts = body.get("messages").get(1).get("content");
        assertThat(parts.get(0).toString()).isEqualTo("{\"text\":\"What is this?\",\"type\":\"text\"}");
        assertThat(parts.get(1).get("image_url").get("url").asText()).isEqualTo("https://example.com/cat.png");
        assertThat(parts.get(1).get("image_url").get("detail").asText()).isEqualTo("low");
        assertThat(received.header("authorization")).isEqualTo("Bearer sk-test-upstream-secret");
        assertThat(received.header("x-upstream-header")).isEqualTo("fixed-value");
    }

    @Test
    void responseKeepsFieldsTheGatewayDoesNotKnow() throws Exception {
        UPSTREAM.on(
                "POST",
                "/v1/chat/completions",
                Behavior.json(200, OpenAiWire.chatCompletion("gpt-4o-2024-08-06", "x")));

        var response = GatewayFixture.postJson(
                APP,
                "/v1/chat/completions",
                "{\"model\":\"smart\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body());
        assertThat(body.get("model").asText()).isEqualTo("smart");
        assertThat(body.get("system_fingerprint").asText()).isEqualTo(OpenAiWire.SYSTEM_FINGERPRINT);
        assertThat(body.get("service_tier").asText()).isEqualTo(OpenAiWire.SERVICE_TIER);
        assertThat(body.get("choices").get(0).get("message").has("annotations")).isTrue();
        assertThat(body.get("choices").get(0).get("message").get("refusal").isNull())
                .isTrue();
        assertThat(body.get("choices").get(0).has("logprobs")).isTrue();
        assertThat(body.get("usage").has("prompt_tokens_details")).isTrue();
        assertThat(UPSTREAM.lastRequest("/v1/chat/completions")
                        .bodyJson()
                        .get("model")
                        .asText())
                .isEqualTo("gpt-4o");
    }

    @Test
    void streamArrivesChunkByChunkBeforeTheUpstreamHasFinished() {
        var pieces = List.of("One", " two", " three", " four", " five");
        var gap = Duration.ofMillis(250);
        UPSTREAM.on("POST", "/v1/chat/completions", Behavior.sse(OpenAiWire.chatStream("gpt-4o", pieces, true), gap));

        var params = ChatCompletionCreateParams.builder()
                .model("fake/gpt-4o")
                .addUserMessage("count")
                .streamOptions(
                        ChatCompletionStreamOptions.builder().includeUsage(true).build())
                .build();
        var streamed = GatewayFixture.streamChat(client, params, "fake/gpt-4o");
        var arrivals = streamed.arrivalsMillis();
        long total = streamed.totalMillis();

        assertThat(streamed.text()).isEqualTo("One two three four five");
        ChatCompletion completion = streamed.completion();
        assertThat(completion.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        assertThat(completion.usage().orElseThrow().completionTokens()).isEqualTo(OpenAiWire.COMPLETION_TOKENS);
        // The upstream spends 7 gaps sending 8 events; the first must not wait for the last.
        assertThat(total).isGreaterThanOrEqualTo(6 * gap.toMillis());
        assertThat(arrivals.get(0)).isLessThan(total - 4 * gap.toMillis());
        assertThat(UPSTREAM.lastRequest("/v1/chat/completions")
                        .bodyJson()
                        .get("stream_options")
                        .toString())
                .isEqualTo("{\"include_usage\":true}");
    }

    @Test
    void streamHasTheOpenAiHeadersAndFraming() throws Exception {
        UPSTREAM.on(
                "POST",
                "/v1/chat/completions",
                Behavior.sse(OpenAiWire.chatStream("gpt-4o", List.of("Hi"), false), Duration.ZERO));

        var response = GatewayFixture.postJson(
                APP,
                "/v1/chat/completions",
                "{\"model\":\"fake/gpt-4o\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("text/event-stream"));
        assertThat(response.headers().firstValue("cache-control")).contains("no-cache");
        assertThat(response.headers().firstValue("x-accel-buffering")).contains("no");
        String[] events = response.body().split("\n\n");
        assertThat(events).hasSize(4);
        assertThat(events[0]).startsWith("data: {").contains("\"model\":\"fake/gpt-4o\"");
        assertThat(events[1]).contains("\"content\":\"Hi\"");
        assertThat(events[2]).contains("\"finish_reason\":\"stop\"");
        assertThat(events[3]).isEqualTo("data: [DONE]");
    }

    @Test
    void toolCallsComeBackAsTheUpstreamSentThem() {
        UPSTREAM.on(
                "POST",
                "/v1/chat/completions",
                Behavior.json(
                        200,
                        OpenAiWire.toolCallCompletion(
                                "gpt-4o", "call_abc123", "get_weather", "{\"location\":\"Paris\"}")));

        ChatCompletion completion = client.chat().completions().create(weatherParams());

        var call = completion
                .choices()
                .get(0)
                .message()
                .toolCalls()
                .orElseThrow()
                .get(0)
                .asFunction();
        assertThat(call.id()).isEqualTo("call_abc123");
        assertThat(call.function().name()).isEqualTo("get_weather");
        assertThat(call.function().arguments()).isEqualTo("{\"location\":\"Paris\"}");
        assertThat(completion.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        JsonNode sent = UPSTREAM.lastRequest("/v1/chat/completions").bodyJson();
        assertThat(sent.get("tools")
                        .get(0)
                        .get("function")
                        .get("parameters")
                        .get("required")
                        .get(0)
                        .asText())
                .isEqualTo("location");
        assertThat(sent.get("tool_choice").asText()).isEqualTo("auto");
    }

    @Test
    void streamedToolCallsAccumulateIntoOneCall() {
        UPSTREAM.on(
                "POST",
                "/v1/chat/completions",
                Behavior.sse(
                        OpenAiWire.toolCallStream(
                                "gpt-4o", "call_xyz", "get_weather", List.of("{\"lo", "cation\":", "\"Paris\"}")),
                        Duration.ofMillis(10)));

        var accumulator = ChatCompletionAccumulator.create();
        try (var stream = client.chat().completions().createStreaming(weatherParams())) {
            stream.stream().forEach(accumulator::accumulate);
        }

        var call = accumulator
                .chatCompletion()
                .choices()
                .get(0)
                .message()
                .toolCalls()
                .orElseThrow()
                .get(0)
                .asFunction();
        assertThat(call.id()).isEqualTo("call_xyz");
        assertThat(call.function().arguments()).isEqualTo("{\"location\":\"Paris\"}");
    }

    @Test
    void builtinEchoesAndStreamsWithoutAnyNetwork() {
        var completion = client.chat()
                .completions()
                .create(ChatCompletionCreateParams.builder()
                        .model("echo")
                        .addUserMessage("the quick brown fox")
                        .build());
        assertThat(completion.choices().get(0).message().content()).contains("the quick brown fox");
        assertThat(completion.usage().orElseThrow().completionTokens()).isEqualTo(4);

        var text = new StringBuilder();
        try (var stream = client.chat()
                .completions()
                .createStreaming(ChatCompletionCreateParams.builder()
                        .model("builtin/echo")
                        .addUserMessage("jumps over the lazy dog")
                        .build())) {
            stream.stream()
                    .forEach(chunk ->
                            chunk.choices().forEach(c -> c.delta().content().ifPresent(text::append)));
        }
        assertThat(text.toString()).isEqualTo("jumps over the lazy dog");
        assertThat(UPSTREAM.count("/v1/chat/completions")).isZero();
    }

    private static ChatCompletionCreateParams weatherParams() {
        return ChatCompletionCreateParams.builder()
                .model("fake/gpt-4o")
                .addUserMessage("Weather in Paris?")
                .addFunctionTool(FunctionDefinition.builder()
                        .name("get_weather")
                        .description("Current weather for a city")
                        .parameters(FunctionParameters.builder()
                                .putAdditionalProperty("type", JsonValue.from("object"))
                                .putAdditionalProperty(
                                        "properties", JsonValue.from(Map.of("location", Map.of("type", "string"))))
                                .putAdditionalProperty("required", JsonValue.from(List.of("location")))
                                .build())
                        .build())
                .toolChoice(com.openai.models.chat.completions.ChatCompletionToolChoiceOption.Auto.AUTO)
                .build();
    }
}
