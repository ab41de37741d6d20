package io.switchboard.it;

import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.StopReason;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.errors.BadRequestException;
import com.openai.errors.InternalServerException;
import com.openai.errors.NotFoundException;
import com.openai.errors.OpenAIServiceException;
import com.openai.errors.PermissionDeniedException;
import com.openai.errors.RateLimitException;
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
import com.openai.models.chat.completions.ChatCompletionToolChoiceOption;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import com.openai.models.embeddings.EmbeddingCreateParams;
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

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * An OpenAI client (the official Java SDK) talking to Gemini through the gateway, against a fake
 * upstream that speaks Google's Generative Language API on loopback: text, streams, tools,
 * images, embeddings, model discovery and every error status.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class GeminiIntegrationTest {

    private static final String KEY = "AIza-test-gemini-key";
    private static final String GENERATE = "/v1beta/models/gemini-2.0-flash:generateContent";
    private static final String STREAM = "/v1beta/models/gemini-2.0-flash:streamGenerateContent";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final FakeUpstream UPSTREAM = startUpstream();
    private static final DropwizardAppExtension<SwitchboardConfiguration> APP = new DropwizardAppExtension<>(
            SwitchboardApplication.class,
            ResourceHelpers.resourceFilePath("gemini-test-config.yml"),
            ConfigOverride.config("providers[0].baseUrl", () -> UPSTREAM.baseUrl() + "/v1beta"));

    /** The model listing the gateway made at startup, kept before the first test resets the upstream. */
    private static List<RecordedRequest> startupListing;

    private OpenAIClient client;

    /** Two pages of models.list: discovery must follow nextPageToken. */
    private static FakeUpstream startUpstream() {
        var upstream = FakeUpstream.start();
        upstream.onNext("GET", "/v1beta/models", Behavior.json(200, fixture("models.list.response.excerpt.json")));
        upstream.on("GET", "/v1beta/models", Behavior.json(200, fixture("models.list.page2.json")));
        return upstream;
    }

    @BeforeAll
    static void keepStartupListing() {
        startupListing = UPSTREAM.requests("/v1beta/models");
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
    void discoveryAtStartupListsOnlyGenerationAndEmbeddingModelsFromEveryPage() {
        List<String> ids = client.models().list().data().stream().map(Model::id).toList();

        assertThat(ids)
                .containsExactly(
                        "gemini/gemini-2.0-flash", "gemini/gemini-2.0-flash-lite", "gemini/gemini-embedding-001");
        assertThat(startupListing)
                .extracting(RecordedRequest::query)
                .containsExactly(
                        "pageSize=1000",
                        "pageSize=1000&pageToken=CiRtb2RlbHMvZ2VtaW5pLTIuMC1mbGFzaC10aGlua2luZy0wMDE%3D");
        assertThat(startupListing)
                .allSatisfy(
                        request -> assertThat(request.header("x-goog-api-key")).isEqualTo(KEY));
    }

    @Test
    void chatIsTranslatedBothWaysAndTheKeyTravelsOnlyInItsHeader() {
        UPSTREAM.on("POST", GENERATE, Behavior.json(200, fixture("generateContent.text.response.json")));

        ChatCompletion completion = client.chat()
                .completions()
                .create(ChatCompletionCreateParams.builder()
                        .model("gemini/gemini-2.0-flash")
                        .addSystemMessage("You write Python.")
                        .addUserMessage("Sort a list")
                        .temperature(0.4)
                        .maxCompletionTokens(200)
                        .build());

        assertThat(completion.model()).isEqualTo("gemini/gemini-2.0-flash");
        assertThat(completion.choices().get(0).message().content().orElseThrow())
                .startsWith("```python\n# Example list");
        assertThat(completion.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        assertThat(completion.usage().orElseThrow().promptTokens()).isEqualTo(9);
        assertThat(completion.usage().orElseThrow().completionTokens()).isEqualTo(87);
        assertThat(completion.usage().orElseThrow().totalTokens()).isEqualTo(96);

        RecordedRequest sent = UPSTREAM.lastRequest(GENERATE);
        assertThat(sent.header("x-goog-api-key")).isEqualTo(KEY);
        assertThat(sent.header("x-goog-user-project")).isEqualTo("switchboard-tests");
        assertThat(sent.header("authorization")).isNull();
        assertThat(sent.query()).isNull();
        assertThat(sent.bodyJson())
                .isEqualTo(json("{\"systemInstruction\":{\"parts\":[{\"text\":\"You write Python.\"}]},"
                        + "\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"Sort a list\"}]}],"
                        + "\"generationConfig\":{\"maxOutputTokens\":200,\"temperature\":0.4}}"));
    }

    @Test
    void streamedTextArrivesChunkByChunkBeforeTheUpstreamHasFinished() {
        var pieces = List.of("One", " two", " three", " four", " five");
        var gap = Duration.ofMillis(250);
        UPSTREAM.on("POST", STREAM, Behavior.sse(textStream(pieces), gap));

        var streamed = GatewayFixture.streamChat(
                client,
                ChatCompletionCreateParams.builder()
                        .model("gemini/gemini-2.0-flash")
                        .addUserMessage("count")
                        .streamOptions(ChatCompletionStreamOptions.builder()
                                .includeUsage(true)
                                .build())
                        .build(),
                "gemini/gemini-2.0-flash");
        var arrivals = streamed.arrivalsMillis();
        long total = streamed.totalMillis();

        assertThat(streamed.text()).isEqualTo("One two three four five");
        ChatCompletion completion = streamed.completion();
        assertThat(completion.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        assertThat(completion.usage().orElseThrow().completionTokens()).isEqualTo(5);
        assertThat(completion.usage().orElseThrow().totalTokens()).isEqualTo(12);
        // The upstream spends four gaps sending five events; the first must not wait for the last.
        assertThat(total).isGreaterThanOrEqualTo(4 * gap.toMillis());
        assertThat(arrivals.get(0)).isLessThan(total - 2 * gap.toMillis());
        RecordedRequest sent = UPSTREAM.lastRequest(STREAM);
        assertThat(sent.query()).isEqualTo("alt=sse");
        assertThat(sent.header("x-goog-api-key")).isEqualTo(KEY);
    }

    @Test
    void anAnthropicClientsMessagesCreateIsAnsweredByGemini() {
        UPSTREAM.on("POST", GENERATE, Behavior.json(200, fixture("generateContent.text.response.json")));

        Message message = AnthropicSdk.client(APP, "sk-client-key")
                .messages()
                .create(MessageCreateParams.builder()
                        .model("gemini/gemini-2.0-flash")
                        .maxTokens(200)
                        .system("You write Python.")
                        .addUserMessage("Sort a list")
                        .build());

        assertThat(message.model().asString()).isEqualTo("gemini/gemini-2.0-flash");
        assertThat(message.content().get(0).text().orElseThrow().text()).startsWith("```python\n# Example list");
        assertThat(message.stopReason()).hasValue(StopReason.END_TURN);
        assertThat(message.usage().inputTokens()).isEqualTo(9);
        assertThat(message.usage().outputTokens()).isEqualTo(87);
        assertThat(UPSTREAM.lastRequest(GENERATE).bodyJson())
                .isEqualTo(json("{\"systemInstruction\":{\"parts\":[{\"text\":\"You write Python.\"}]},"
                        + "\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"Sort a list\"}]}],"
                        + "\"generationConfig\":{\"maxOutputTokens\":200}}"));
    }

    @Test
    void anAnthropicClientsMessagesStreamIsAnsweredByGemini() {
        UPSTREAM.on("POST", STREAM, Behavior.sse(textStream(List.of("One", " two", " three")), Duration.ZERO));

        var streamed = AnthropicSdk.stream(
                AnthropicSdk.client(APP, "sk-client-key"),
                MessageCreateParams.builder()
                        .model("gemini/gemini-2.0-flash")
                        .maxTokens(64)
                        .addUserMessage("count")
                        .build());

        assertThat(streamed.types()).isEqualTo(AnthropicSdk.oneTextBlock(3));
        Message message = streamed.message();
        assertThat(message.content().get(0).text().orElseThrow().text()).isEqualTo("One two three");
        assertThat(message.stopReason()).hasValue(StopReason.END_TURN);
        assertThat(message.usage().inputTokens()).isEqualTo(7);
        assertThat(message.usage().outputTokens()).isEqualTo(3);
        assertThat(UPSTREAM.lastRequest(STREAM).query()).isEqualTo("alt=sse");
    }

    @Test
    void toolCallComesBackAsAnOpenAiToolCallAndItsResultGoesBackByName() {
        UPSTREAM.on("POST", GENERATE, Behavior.json(200, fixture("generateContent.functionCall.response.json")));

        ChatCompletion completion =
                client.chat().completions().create(theatersParams().build());

        var message = completion.choices().get(0).message();
        var call = message.toolCalls().orElseThrow().get(0).asFunction();
        assertThat(call.id()).isEqualTo("call_0");
        assertThat(call.function().name()).isEqualTo("find_theaters");
        assertThat(json(call.function().arguments()))
                .isEqualTo(json("{\"movie\":\"Barbie\",\"location\":\"Mountain View, CA\"}"));
        assertThat(completion.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        JsonNode sent = UPSTREAM.lastRequest(GENERATE).bodyJson();
        assertThat(sent.path("tools")
                        .get(0)
                        .path("functionDeclarations")
                        .get(0)
                        .path("name")
                        .asText())
                .isEqualTo("find_theaters");
        assertThat(sent.path("tools")
                        .get(0)
                        .path("functionDeclarations")
                        .get(0)
                        .path("parametersJsonSchema")
                        .path("required")
                        .get(0)
                        .asText())
                .isEqualTo("location");
        assertThat(sent.path("toolConfig").toString()).isEqualTo("{\"functionCallingConfig\":{\"mode\":\"AUTO\"}}");

        // The client runs the tool and sends the call and its result back, as OpenAI clients do.
        UPSTREAM.on(
                "POST", GENERATE, Behavior.json(200, fixture("generateContent.after-functionResponse.response.json")));
        ChatCompletion answer = client.chat()
                .completions()
                .create(theatersParams()
                        .addMessage(message)
                        .addMessage(ChatCompletionToolMessageParam.builder()
                                .toolCallId(call.id())
                                .content("{\"theaters\":[\"AMC Mountain View 16\",\"Regal Edwards 14\"]}")
                                .build())
                        .build());

        assertThat(answer.choices().get(0).message().content().orElseThrow()).contains("AMC Mountain View 16");
        JsonNode contents = UPSTREAM.lastRequest(GENERATE).bodyJson().path("contents");
        assertThat(contents.get(1))
                .isEqualTo(
                        json(
                                "{\"role\":\"model\",\"parts\":[{\"functionCall\":"
                                        + "{\"name\":\"find_theaters\",\"args\":{\"movie\":\"Barbie\",\"location\":\"Mountain View, CA\"}}}]}"));
        assertThat(contents.get(2))
                .isEqualTo(
                        json(
                                "{\"role\":\"user\",\"parts\":[{\"functionResponse\":{\"name\":"
                                        + "\"find_theaters\",\"response\":{\"theaters\":[\"AMC Mountain View 16\",\"Regal Edwards 14\"]}}}]}"));
    }

    @Test
    void streamedToolCallsAccumulateAndGoBackWithTheirThoughtSignature() {
        UPSTREAM.on(
                "POST",
                STREAM,
                Behavior.sse(sseEvents(fixture("streamGenerateContent.functionCall.sse")), Duration.ofMillis(10)));

        var accumulator = ChatCompletionAccumulator.create();
        var signatures = new ArrayList<JsonValue>();
        try (var stream =
                client.chat().completions().createStreaming(theatersParams().build())) {
            stream.stream().forEach(chunk -> {
                accumulator.accumulate(chunk);
                chunk.choices()
                        .forEach(choice -> choice.delta()
                                .toolCalls()
                                .ifPresent(calls -> calls.forEach(call -> {
                                    JsonValue extra = call._allProperties().get("extra_content");
                                    if (extra != null) {
                                        signatures.add(extra);
                                    }
                                })));
            });
        }

        var completion = accumulator.chatCompletion();
        assertThat(completion.choices().get(0).message().content()).contains("Let me look that up.");
        var calls = completion.choices().get(0).message().toolCalls().orElseThrow();
        assertThat(calls).hasSize(2);
        assertThat(calls.get(0).asFunction().id()).isEqualTo("call_0");
        assertThat(calls.get(0).asFunction().function().name()).isEqualTo("find_theaters");
        assertThat(json(calls.get(0).asFunction().function().arguments()))
                .isEqualTo(json("{\"location\":\"Mountain View, CA\",\"movie\":\"Barbie\"}"));
        assertThat(calls.get(1).asFunction().id()).isEqualTo("call_1");
        assertThat(calls.get(1).asFunction().function().name()).isEqualTo("find_movies");
        assertThat(completion.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        assertThat(signatures).singleElement().hasToString("{google={thought_signature=c2lnbmF0dXJlLTE=}}");

        // Sent back as the SDK rebuilds it, the call carries its signature to Gemini again.
        UPSTREAM.on(
                "POST", GENERATE, Behavior.json(200, fixture("generateContent.after-functionResponse.response.json")));
        client.chat()
                .completions()
                .create(theatersParams()
                        .addMessage(completion.choices().get(0).message())
                        .addMessage(ChatCompletionToolMessageParam.builder()
                                .toolCallId("call_0")
                                .content("AMC")
                                .build())
                        .addMessage(ChatCompletionToolMessageParam.builder()
                                .toolCallId("call_1")
                                .content("none")
                                .build())
                        .build());
        JsonNode contents = UPSTREAM.lastRequest(GENERATE).bodyJson().path("contents");
        assertThat(contents.get(1))
                .isEqualTo(json("{\"role\":\"model\",\"parts\":[{\"text\":\"Let me look that up.\"},"
                        + "{\"functionCall\":{\"name\":\"find_theaters\","
                        + "\"args\":{\"location\":\"Mountain View, CA\",\"movie\":\"Barbie\"}},"
                        + "\"thoughtSignature\":\"c2lnbmF0dXJlLTE=\"},"
                        + "{\"functionCall\":{\"name\":\"find_movies\","
                        + "\"args\":{\"location\":\"Mountain View, CA\",\"description\":\"Barbie\"}}}]}"));
        assertThat(contents.get(2))
                .isEqualTo(json("{\"role\":\"user\",\"parts\":["
                        + "{\"functionResponse\":{\"name\":\"find_theaters\",\"response\":{\"output\":\"AMC\"}}},"
                        + "{\"functionResponse\":{\"name\":\"find_movies\",\"response\":{\"output\":\"none\"}}}]}"));
    }

    @Test
    void imagePartsReachGeminiInline() {
        UPSTREAM.on("POST", GENERATE, Behavior.json(200, fixture("generateContent.text.response.json")));
        String png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg==";

        client.chat()
                .completions()
                .create(ChatCompletionCreateParams.builder()
                        .model("gemini/gemini-2.0-flash")
                        .addUserMessageOfArrayOfContentParts(List.of(
                                ChatCompletionContentPart.ofText(ChatCompletionContentPartText.builder()
                                        .text("What is this?")
                                        .build()),
                                ChatCompletionContentPart.ofImageUrl(ChatCompletionContentPartImage.builder()
                                        .imageUrl(ChatCompletionContentPartImage.ImageUrl.builder()
                                                .url("data:image/png;base64," + png)
                                                .build())
                                        .build())))
                        .build());

        assertThat(UPSTREAM.lastRequest(GENERATE).bodyJson().path("contents"))
                .isEqualTo(json("[{\"role\":\"user\",\"parts\":[{\"text\":\"What is this?\"},"
                        + "{\"inlineData\":{\"mimeType\":\"image/png\",\"data\":\"" + png + "\"}}]}]"));
    }

    @Test
    void embeddingsAsFloatsFromEmbedContent() {
        UPSTREAM.on(
                "POST",
                "/v1beta/models/gemini-embedding-001:embedContent",
                Behavior.json(200, fixture("embedContent.response.json")));

        var response = client.embeddings()
                .create(EmbeddingCreateParams.builder()
                        .model("gemini/gemini-embedding-001")
                        .input("hello world")
                        .dimensions(7)
                        .encodingFormat(EmbeddingCreateParams.EncodingFormat.FLOAT)
                        .build());

        assertThat(response.model()).isEqualTo("gemini/gemini-embedding-001");
        assertThat(response.data())
                .singleElement()
                .satisfies(embedding -> assertThat(embedding.embedding())
                        .containsExactly(
                                -0.02342152f,
                                0.01676572f,
                                0.009261323f,
                                -0.06383f,
                                -0.0026262768f,
                                0.0010187156f,
                                -0.01125684f));
        RecordedRequest sent = UPSTREAM.lastRequest("/v1beta/models/gemini-embedding-001:embedContent");
        assertThat(sent.bodyJson())
                .isEqualTo(json("{\"content\":{\"parts\":[{\"text\":\"hello world\"}]},\"outputDimensionality\":7}"));
        assertThat(sent.header("x-goog-api-key")).isEqualTo(KEY);
    }

    /** The SDK asks for base64 unless told otherwise, and decodes it. */
    @Test
    void embeddingsInTheSdkDefaultBase64FromBatchEmbedContents() throws Exception {
        String path = "/v1beta/models/gemini-embedding-001:batchEmbedContents";
        UPSTREAM.on("POST", path, Behavior.json(200, fixture("batchEmbedContents.response.json")));

        var response = client.embeddings()
                .create(EmbeddingCreateParams.builder()
                        .model("gemini/gemini-embedding-001")
                        .inputOfArrayOfStrings(List.of("a", "b", "c"))
                        .build());

        assertThat(response.data()).hasSize(3);
        assertThat(response.data().get(1).embedding())
                .containsExactly(-0.007975887f, -0.02141119f, -0.0016711014f, -0.061006967f, -0.010629714f);
        JsonNode sent = UPSTREAM.lastRequest(path).bodyJson();
        assertThat(sent.path("requests")).hasSize(3);
        assertThat(sent.path("requests").get(2))
                .isEqualTo(
                        json("{\"model\":\"models/gemini-embedding-001\",\"content\":{\"parts\":[{\"text\":\"c\"}]}}"));
        var raw = GatewayFixture.postJson(
                APP,
                "/v1/embeddings",
                "{\"model\":\"gemini/gemini-embedding-001\",\"input\":[\"a\"],\"encoding_format\":\"base64\"}");
        assertThat(JSON.readTree(raw.body())
                        .path("data")
                        .get(0)
                        .path("embedding")
                        .isTextual())
                .isTrue();
    }

    @ParameterizedTest(name = "Gemini {1} → {2}")
    @CsvSource({
        "error.400.api-key-invalid.json, 400, BadRequestException, 400",
        "error.403.unregistered-caller.json, 403, PermissionDeniedException, 403",
        "error.404.model-not-found.json, 404, NotFoundException, 404",
        "error.429.resource-exhausted.json, 429, RateLimitException, 429",
        "error.500.internal.json, 500, InternalServerException, 502",
        "error.503.overloaded.json, 503, InternalServerException, 503"
    })
    void eachUpstreamErrorStatusBecomesTheMatchingSdkException(
            String fixture, int status, String exception, int clientStatus) throws Exception {
        UPSTREAM.on("POST", GENERATE, Behavior.json(status, fixture(fixture)));
        UPSTREAM.on("POST", STREAM, Behavior.json(status, fixture(fixture)));
        String message = JSON.readTree(fixture(fixture))
                .path("error")
                .path("message")
                .asText()
                .strip();
        String code =
                JSON.readTree(fixture(fixture)).path("error").path("status").asText();
        Class<? extends OpenAIServiceException> expected = switch (exception) {
            case "BadRequestException" -> BadRequestException.class;
            case "PermissionDeniedException" -> PermissionDeniedException.class;
            case "NotFoundException" -> NotFoundException.class;
            case "RateLimitException" -> RateLimitException.class;
            default -> InternalServerException.class;
        };
        var params = ChatCompletionCreateParams.builder()
                .model("gemini/gemini-2.0-flash")
                .addUserMessage("hi")
                .build();

        assertThatThrownBy(() -> client.chat().completions().create(params)).isInstanceOfSatisfying(expected, e -> {
            assertThat(e.statusCode()).isEqualTo(clientStatus);
            assertThat(e.getMessage()).contains("gemini: " + message);
            assertThat(e.code()).contains(code);
        });
        assertThatThrownBy(() -> {
                    try (var stream = client.chat().completions().createStreaming(params)) {
                        stream.stream().forEach(chunk -> {});
                    }
                })
                .isInstanceOf(expected);
    }

    @Test
    void anErrorInTheMiddleOfAStreamEndsItInBand() {
        var events = new ArrayList<>(textStream(List.of("Hello")).subList(0, 1));
        events.add("data: " + json(fixture("error.503.overloaded.json")) + "\r\n\r\n");
        UPSTREAM.on("POST", STREAM, Behavior.sse(events, Duration.ofMillis(10)));

        var text = new StringBuilder();
        assertThatThrownBy(() -> {
                    try (var stream = client.chat()
                            .completions()
                            .createStreaming(ChatCompletionCreateParams.builder()
                                    .model("gemini/gemini-2.0-flash")
                                    .addUserMessage("hi")
                                    .build())) {
                        stream.stream()
                                .forEach(chunk -> chunk.choices()
                                        .forEach(c -> c.delta().content().ifPresent(text::append)));
                    }
                })
                .isInstanceOf(SseException.class)
                .hasMessageContaining("The model is overloaded");
        assertThat(text.toString()).isEqualTo("Hello");
    }

    @Test
    void whatGeminiCannotExpressIsABadRequestThatNeverReachesIt() {
        var params = ChatCompletionCreateParams.builder()
                .model("gemini/gemini-2.0-flash")
                .addUserMessageOfArrayOfContentParts(
                        List.of(ChatCompletionContentPart.ofImageUrl(ChatCompletionContentPartImage.builder()
                                .imageUrl(ChatCompletionContentPartImage.ImageUrl.builder()
                                        .url("ftp://example.com/cat.png")
                                        .build())
                                .build())))
                .build();

        assertThatThrownBy(() -> client.chat().completions().create(params))
                .isInstanceOfSatisfying(
                        BadRequestException.class,
                        e -> assertThat(e.getMessage()).contains("only data:, http(s):// and gs:// URLs"));
        assertThat(UPSTREAM.count(GENERATE)).isZero();
    }

    // ------------------------------------------------------------------ helpers

    private static ChatCompletionCreateParams.Builder theatersParams() {
        return ChatCompletionCreateParams.builder()
                .model("gemini/gemini-2.0-flash")
                .addUserMessage("Which theaters in Mountain View show Barbie movie?")
                .addFunctionTool(FunctionDefinition.builder()
                        .name("find_theaters")
                        .description("find theaters based on location and optionally movie title")
                        .parameters(FunctionParameters.builder()
                                .putAdditionalProperty("type", JsonValue.from("object"))
                                .putAdditionalProperty(
                                        "properties",
                                        JsonValue.from(Map.of(
                                                "location",
                                                Map.of("type", "string"),
                                                "movie",
                                                Map.of("type", "string"))))
                                .putAdditionalProperty("required", JsonValue.from(List.of("location")))
                                .build())
                        .build())
                .toolChoice(ChatCompletionToolChoiceOption.Auto.AUTO);
    }

    /** A stream as current models send it: text per event, finishReason and full usage on the last. */
    private static List<String> textStream(List<String> pieces) {
        var events = new ArrayList<String>();
        for (int i = 0; i < pieces.size(); i++) {
            ObjectNode response = JSON.createObjectNode();
            ObjectNode candidate = response.putArray("candidates").addObject();
            ObjectNode content = candidate.putObject("content");
            content.putArray("parts").addObject().put("text", pieces.get(i));
            content.put("role", "model");
            candidate.put("index", 0);
            ObjectNode usage = response.putObject("usageMetadata");
            usage.put("promptTokenCount", 7);
            if (i == pieces.size() - 1) {
                candidate.put("finishReason", "STOP");
                usage.put("candidatesTokenCount", pieces.size());
            }
            usage.put("totalTokenCount", 7 + (i == pieces.size() - 1 ? pieces.size() : 0));
            response.put("modelVersion", "gemini-2.0-flash");
            events.add("data: " + response + "\r\n\r\n");
        }
        return events;
    }

    /** Splits an SSE transcript into its events, each written as one frame. */
    private static List<String> sseEvents(String transcript) {
        var events = new ArrayList<String>();
        int start = 0;
        for (int end = transcript.indexOf("\r\n\r\n"); end >= 0; end = transcript.indexOf("\r\n\r\n", start)) {
            events.add(transcript.substring(start, end + 4));
            start = end + 4;
        }
        return events;
    }

    private static String fixture(String name) {
        return Fixtures.text("/fixtures/gemini/" + name);
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
