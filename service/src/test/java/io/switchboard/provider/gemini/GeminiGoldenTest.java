package io.switchboard.provider.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.jackson.Jackson;
import io.switchboard.api.ChatCompletionChunk;
import io.switchboard.api.ChatCompletionRequest;
import io.switchboard.api.EmbeddingRequest;
import io.switchboard.api.ErrorDetail;
import io.switchboard.provider.Capability;
import io.switchboard.provider.ModelInfo;
import io.switchboard.provider.http.UpstreamErrors;
import io.switchboard.provider.sse.SseEvent;
import io.switchboard.provider.sse.SseParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Golden tests of the Gemini translation: an OpenAI request in, the exact Gemini request out; a
 * recorded Gemini response, SSE transcript or error body in, the exact OpenAI response, chunk
 * sequence or error out. Fixtures and their sources: {@code src/test/resources/fixtures/gemini/}.
 * A missing expected file fails the test and leaves what was produced under
 * {@code target/golden-actual/} for review.
 */
class GeminiGoldenTest {

    private static final ObjectMapper MAPPER = Jackson.newObjectMapper();
    private static final String ID = "chatcmpl-golden";
    private static final long CREATED = 1_700_000_000L;

    @ParameterizedTest(name = "chat.{0}: OpenAI request → Gemini request")
    @ValueSource(strings = {"text", "tools", "image"})
    void openAiRequestBecomesTheExactGeminiRequest(String name) {
        var request = read("chat." + name + ".openai-request.json", ChatCompletionRequest.class);

        JsonNode geminiRequest = GeminiMapper.generateContentRequest(request, MAPPER, "gemini");

        assertGolden("chat." + name + ".gemini-request.json", geminiRequest);
    }

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource({
        "generateContent.text.response.json, chat.text.openai-response.json",
        "generateContent.functionCall.response.json, chat.functionCall.openai-response.json",
        "generateContent.after-functionResponse.response.json, chat.after-functionResponse.openai-response.json"
    })
    void geminiResponseBecomesTheExactChatCompletion(String fixture, String expected) {
        var response = GeminiMapper.chatCompletion(tree(fixture), "gemini-2.0-flash", ID, CREATED, MAPPER);

        assertGolden(expected, response);
    }

    /** The 2024 recording repeats finishReason STOP on every event: the finish chunk comes once, last. */
    @Test
    void recordedTextStreamBecomesTheExactChunkSequence() {
        List<ChatCompletionChunk> chunks = translate("streamGenerateContent.text.recorded-2024.sse", false);

        assertGolden("chat.stream-text.openai-chunks.json", chunks);
        assertThat(chunks)
                .filteredOn(chunk -> chunk.choices().get(0).finishReason() != null)
                .hasSize(1);
    }

    @Test
    void functionCallStreamWithUsageBecomesTheExactChunkSequence() {
        List<ChatCompletionChunk> chunks = translate("streamGenerateContent.functionCall.sse", true);

        assertGolden("chat.stream-functionCall.openai-chunks.json", chunks);
    }

    /** Streamed and non-streamed tool calls carry the same ids, names and arguments. */
    @Test
    void streamedToolCallsMatchTheNonStreamedOnes() throws IOException {
        List<ChatCompletionChunk> chunks = translate("streamGenerateContent.functionCall.sse", false);
        var streamedCalls = chunks.stream()
                .flatMap(chunk -> chunk.choices().stream())
                .filter(choice -> choice.delta().toolCalls() != null)
                .flatMap(choice -> choice.delta().toolCalls().stream())
                .map(call -> call.id() + " " + call.function().name() + " "
                        + call.function().arguments())
                .toList();
        // The same events as one response: every part of every event in one candidate.
        var parts = MAPPER.createArrayNode();
        for (SseEvent event : events("streamGenerateContent.functionCall.sse")) {
            parts.addAll((com.fasterxml.jackson.databind.node.ArrayNode) MAPPER.readTree(event.data())
                    .path("candidates")
                    .get(0)
                    .path("content")
                    .path("parts"));
        }
        var whole = MAPPER.createObjectNode();
        var candidate = whole.putArray("candidates").addObject();
        candidate.putObject("content").set("parts", parts);
        candidate.put("finishReason", "STOP");
        var response = GeminiMapper.chatCompletion(whole, "gemini-2.5-flash", ID, CREATED, MAPPER);
        var calls = response.choices().get(0).message().toolCalls().stream()
                .map(call -> call.id() + " " + call.function().name() + " "
                        + call.function().arguments())
                .toList();

        assertThat(streamedCalls)
                .containsExactlyElementsOf(calls)
                .containsExactly(
                        "call_0 find_theaters {\"location\":\"Mountain View, CA\",\"movie\":\"Barbie\"}",
                        "call_1 find_movies {\"location\":\"Mountain View, CA\",\"description\":\"Barbie\"}");
        assertThat(response.choices().get(0).finishReason()).isEqualTo("tool_calls");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "error.400.api-key-invalid.json | 400 | INVALID_ARGUMENT | API key not valid. Please pass a valid API key.",
                "error.400.contents-not-specified.json | 400 | INVALID_ARGUMENT"
                        + " | * GenerateContentRequest.contents: contents is not specified",
                "error.400.invalid-role.json | 400 | INVALID_ARGUMENT | Please use a valid role: user, model.",
                "error.403.unregistered-caller.json | 403 | PERMISSION_DENIED"
                        + " | Method doesn't allow unregistered callers (callers without established identity)."
                        + " Please use API Key or other form of API consumer identity to call this API.",
                "error.404.model-not-found.json | 404 | NOT_FOUND"
                        + " | models/gemini-pro is not found for API version v1beta, or is not supported for"
                        + " generateContent. Call ListModels to see the list of available models and their supported methods.",
                "error.429.resource-exhausted.json | 429 | RESOURCE_EXHAUSTED"
                        + " | You exceeded your current quota, please check your plan and billing details. For more"
                        + " information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits."
                        + " To monitor your current usage, head to: https://ai.dev/rate-limit.",
                "error.500.internal.json | 500 | INTERNAL | An internal error has occurred. Please retry or report in"
                        + " https://developers.generativeai.google/guide/troubleshooting",
                "error.503.overloaded.json | 503 | UNAVAILABLE | The model is overloaded. Please try again later."
            })
    void errorBodiesBecomeOpenAiErrorDetails(String fixture, int status, String code, String message) {
        ErrorDetail detail = GeminiMapper.errorParser(MAPPER).parse(status, bytes(fixture));

        assertThat(detail).isEqualTo(new ErrorDetail(message, null, null, code));
    }

    @Test
    void errorBodiesThatAreNotGooglesAreQuoted() {
        var parser = GeminiMapper.errorParser(MAPPER);

        assertThat(parser.parse(502, "<html>Bad Gateway</html>".getBytes()).message())
                .isEqualTo("HTTP 502: <html>Bad Gateway</html>");
        assertThat(parser.parse(500, new byte[0]).message()).isEqualTo("HTTP 500 with an empty body");
        // Streaming without alt=sse wraps the error in an array.
        assertThat(parser.parse(
                        400,
                        "[{\"error\":{\"code\":400,\"message\":\"bad\",\"status\":\"INVALID_ARGUMENT\"}}]".getBytes()))
                .isEqualTo(new ErrorDetail("bad", null, null, "INVALID_ARGUMENT"));
        assertThat(UpstreamErrors.kindOf(503).label()).isEqualTo("upstream_5xx");
    }

    @Test
    void modelListKeepsOnlyGenerationAndEmbeddingModels() {
        var models = new ArrayList<ModelInfo>();
        models.addAll(GeminiMapper.models(tree("models.list.response.excerpt.json")));
        models.addAll(GeminiMapper.models(tree("models.list.page2.json")));
        models.addAll(GeminiMapper.models(MAPPER.createObjectNode()
                .set("models", MAPPER.createArrayNode().add(tree("models.get.response.json")))));

        assertThat(models)
                .containsExactly(
                        new ModelInfo("gemini-2.0-flash", 0, "google", Set.of(Capability.CHAT)),
                        new ModelInfo("gemini-2.0-flash-lite", 0, "google", Set.of(Capability.CHAT)),
                        new ModelInfo("gemini-embedding-001", 0, "google", Set.of(Capability.EMBEDDINGS)),
                        new ModelInfo("gemini-3.1-pro-preview", 0, "google", Set.of(Capability.CHAT)));
    }

    @Test
    void singleEmbeddingBecomesTheExactOpenAiList() {
        var response =
                GeminiMapper.embeddingResponse(tree("embedContent.response.json"), "gemini-embedding-001", false);

        assertGolden("embeddings.float.openai-response.json", response);
    }

    @Test
    void batchEmbeddingsInBase64AreLittleEndianFloats() {
        var response =
                GeminiMapper.embeddingResponse(tree("batchEmbedContents.response.json"), "gemini-embedding-001", true);

        assertThat(response.data()).hasSize(3);
        JsonNode values = tree("batchEmbedContents.response.json")
                .path("embeddings")
                .get(2)
                .path("values");
        var decoded = ByteBuffer.wrap(Base64.getDecoder()
                        .decode(response.data().get(2).embedding().textValue()))
                .order(ByteOrder.LITTLE_ENDIAN)
                .asFloatBuffer();
        assertThat(decoded.remaining()).isEqualTo(values.size());
        for (int i = 0; i < values.size(); i++) {
            assertThat(decoded.get(i)).isEqualTo(values.get(i).floatValue());
        }
        assertThat(response.data().get(2).index()).isEqualTo(2);
    }

    @Test
    void embeddingRequestsNameTheModelOnlyWhereGeminiWantsIt() {
        var single = MAPPER.convertValue(
                MAPPER.createObjectNode()
                        .put("model", "gemini-embedding-001")
                        .put("input", "hello")
                        .put("dimensions", 8),
                EmbeddingRequest.class);
        assertThat(GeminiMapper.embedContentRequest(
                        GeminiMapper.embeddingInputs(single, "gemini").get(0), 8))
                .isEqualTo(tree("{\"content\":{\"parts\":[{\"text\":\"hello\"}]},\"outputDimensionality\":8}"));
        assertThat(GeminiMapper.batchEmbedContentsRequest("models/gemini-embedding-001", List.of("a", "b"), null))
                .isEqualTo(tree("{\"requests\":["
                        + "{\"model\":\"models/gemini-embedding-001\",\"content\":{\"parts\":[{\"text\":\"a\"}]}},"
                        + "{\"model\":\"models/gemini-embedding-001\",\"content\":{\"parts\":[{\"text\":\"b\"}]}}]}"));
    }

    // ------------------------------------------------------------------ helpers

    private static List<ChatCompletionChunk> translate(String sseFixture, boolean includeUsage) {
        var translator = new GeminiStreamTranslator("gemini", "gemini-2.0-flash", ID, CREATED, includeUsage, MAPPER);
        var chunks = new ArrayList<ChatCompletionChunk>();
        for (SseEvent event : events(sseFixture)) {
            try {
                chunks.addAll(translator.onResponse(MAPPER.readTree(event.data())));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        chunks.addAll(translator.finish());
        return chunks;
    }

    private static List<SseEvent> events(String fixture) {
        var events = new ArrayList<SseEvent>();
        var parser = new SseParser(events::add, 1 << 20);
        parser.feed(ByteBuffer.wrap(bytes(fixture)));
        parser.end();
        return events;
    }

    /** Compares what {@code value} looks like on the wire with the golden file, as JSON trees. */
    private static void assertGolden(String expectedFile, Object value) {
        JsonNode actual;
        try {
            actual = MAPPER.readTree(MAPPER.writeValueAsBytes(value));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String path = "/fixtures/gemini/" + expectedFile;
        if (GeminiGoldenTest.class.getResource(path) == null) {
            try {
                Path out = Path.of("target", "golden-actual", expectedFile);
                Files.createDirectories(out.getParent());
                Files.writeString(out, MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(actual));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            throw new AssertionError("No golden file " + path + "; what was produced is in target/golden-actual/");
        }
        assertThat(actual).as(expectedFile).isEqualTo(tree(expectedFile));
    }

    private static <T> T read(String fixture, Class<T> type) {
        try {
            return MAPPER.readValue(bytes(fixture), type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode tree(String fixtureOrJson) {
        try {
            return fixtureOrJson.startsWith("{")
                    ? MAPPER.readTree(fixtureOrJson)
                    : MAPPER.readTree(bytes(fixtureOrJson));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] bytes(String fixture) {
        try (InputStream in = GeminiGoldenTest.class.getResourceAsStream("/fixtures/gemini/" + fixture)) {
            if (in == null) {
                throw new AssertionError("missing fixture " + fixture);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
