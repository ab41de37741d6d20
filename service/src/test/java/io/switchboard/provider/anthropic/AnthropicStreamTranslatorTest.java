package io.switchboard.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.jackson.Jackson;
import io.switchboard.api.ChatCompletionChunk;
import io.switchboard.provider.ProviderException;
import io.switchboard.provider.ProviderException.Kind;
import io.switchboard.provider.StreamObserver;
import io.switchboard.provider.sse.SseEvent;
import io.switchboard.provider.sse.SseParser;
import io.switchboard.resources.ErrorResponses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.switchboard.provider.anthropic.AnthropicMapperTest.fixture;
import static io.switchboard.provider.anthropic.AnthropicMapperTest.tree;
import static io.switchboard.provider.anthropic.AnthropicMapperTest.wire;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Golden tests of the stream translation: Anthropic's documented SSE transcripts in, the exact
 * OpenAI chunk sequence out, fed through the same SSE parser the transport uses.
 */
class AnthropicStreamTranslatorTest {

    private static final ObjectMapper JSON = Jackson.newObjectMapper();
    private static final long CREATED = 1_700_000_000L;

    @ParameterizedTest(name = "{0}, include_usage={1} → {2}")
    @CsvSource({
        "stream.text.sse, false, openai.stream.text.chunks.json",
        "stream.text.sse, true, openai.stream.text.usage.chunks.json",
        "stream.tool_use.sse, false, openai.stream.tool_use.chunks.json",
    })
    void transcriptBecomesExactlyTheOpenAiChunks(String transcript, boolean includeUsage, String expected)
            throws IOException {
        Recorder recorder = run(fixture(transcript), includeUsage);

        assertThat(recorder.errors).isEmpty();
        assertThat(recorder.completions).as("completed exactly once").isEqualTo(1);
        assertThat(wire(recorder.chunks)).isEqualTo(tree(expected));
    }

    @Test
    void overloadedErrorEventIsAnUpstream5xxTheClientSeesAs503() {
        Recorder recorder = run(fixture("stream.error.overloaded.sse"), false);

        assertThat(recorder.chunks).isEmpty();
        assertThat(recorder.completions).isZero();
        assertThat(recorder.errors).singleElement().satisfies(error -> {
            assertThat(error.kind()).isEqualTo(Kind.UPSTREAM_5XX);
            assertThat(error.upstreamStatus()).isEqualTo(529);
            assertThat(error.getMessage()).isEqualTo("Overloaded");
            assertThat(error.upstreamError().code()).isEqualTo("overloaded_error");
            var client = ErrorResponses.of(error);
            assertThat(client.status()).isEqualTo(503);
            assertThat(client.detail().type()).isEqualTo("api_error");
            assertThat(client.detail().code()).isEqualTo("overloaded_error");
        });
    }

    @Test
    void errorAfterSomeTextEndsTheStreamOnceWithTheMappedKind() {
        String text = new String(fixture("stream.text.sse"), StandardCharsets.UTF_8);
        String firstFour = String.join("\n\n", Arrays.copyOf(text.split("\n\n"), 4)) + "\n\n";
        String error = "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\","
                + "\"message\":\"Number of request tokens has exceeded your per-minute rate limit\"}}\n\n";

        Recorder recorder = run((firstFour + error + text).getBytes(StandardCharsets.UTF_8), false);

        assertThat(recorder.chunks).hasSize(2);
        assertThat(recorder.chunks.get(1).choices().get(0).delta().contentText())
                .isEqualTo("Hello");
        assertThat(recorder.completions).isZero();
        assertThat(recorder.errors).singleElement().satisfies(e -> {
            assertThat(e.kind()).isEqualTo(Kind.RATE_LIMITED);
            assertThat(e.upstreamStatus()).isEqualTo(429);
        });
    }

    @Test
    void streamThatStopsBeforeMessageStopIsMalformedNotComplete() {
        String text = new String(fixture("stream.text.sse"), StandardCharsets.UTF_8);
        String cut = text.substring(0, text.indexOf("event: message_delta"));

        Recorder recorder = run(cut.getBytes(StandardCharsets.UTF_8), false);

        assertThat(recorder.chunks).hasSize(3);
        assertThat(recorder.completions).isZero();
        assertThat(recorder.errors)
                .singleElement()
                .satisfies(e -> assertThat(e.kind()).isEqualTo(Kind.MALFORMED));
    }

    @Test
    void nothingFollowsTheEnd() {
        var recorder = new Recorder();
        var translator = translator(recorder, false);
        feed(translator, fixture("stream.text.sse"));
        translator.onEnd();
        translator.onError(new ProviderException(Kind.CONNECT, "anthropic", "reset after the end"));
        translator.onEvent(new SseEvent("ping", "{\"type\":\"ping\"}", null));

        assertThat(recorder.completions).isEqualTo(1);
        assertThat(recorder.errors).isEmpty();
        assertThat(recorder.chunks).hasSize(4);
    }

    @Test
    void thinkingBlocksAreSkippedAndToolCallsAreNumberedAmongThemselves() throws IOException {
        String transcript = String.join(
                "",
                List.of(
                        event(
                                "message_start",
                                "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_x\",\"model\":\"claude-x\","
                                        + "\"usage\":{\"input_tokens\":10,\"cache_read_input_tokens\":90,\"output_tokens\":1}}}"),
                        event(
                                "content_block_start",
                                "{\"type\":\"content_block_start\",\"index\":0,"
                                        + "\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\"}}"),
                        event(
                                "content_block_delta",
                                "{\"type\":\"content_block_delta\",\"index\":0,"
                                        + "\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"Let me see\"}}"),
                        event(
                                "content_block_delta",
                                "{\"type\":\"content_block_delta\",\"index\":0,"
                                        + "\"delta\":{\"type\":\"signature_delta\",\"signature\":\"abc\"}}"),
                        event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"),
                        event(
                                "content_block_start",
                                "{\"type\":\"content_block_start\",\"index\":1,"
                                        + "\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_a\",\"name\":\"a\",\"input\":{}}}"),
                        event(
                                "content_block_delta",
                                "{\"type\":\"content_block_delta\",\"index\":1,"
                                        + "\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{}\"}}"),
                        event(
                                "content_block_start",
                                "{\"type\":\"content_block_start\",\"index\":2,"
                                        + "\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_b\",\"name\":\"b\",\"input\":{}}}"),
                        event(
                                "content_block_delta",
                                "{\"type\":\"content_block_delta\",\"index\":2,"
                                        + "\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"x\\\":1}\"}}"),
                        event("some_future_event", "{\"type\":\"some_future_event\"}"),
                        event(
                                "message_delta",
                                "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\"},"
                                        + "\"usage\":{\"output_tokens\":30}}"),
                        event("message_stop", "{\"type\":\"message_stop\"}")));

        Recorder recorder = run(transcript.getBytes(StandardCharsets.UTF_8), true);

        JsonNode chunks = wire(recorder.chunks);
        assertThat(chunks).hasSize(7);
        assertThat(chunks.get(1).get("choices").get(0).get("delta").toString())
                .isEqualTo("{\"tool_calls\":[{\"index\":0,\"id\":\"toolu_a\",\"type\":\"function\","
                        + "\"function\":{\"name\":\"a\",\"arguments\":\"\"}}]}");
        assertThat(chunks.get(3)
                        .get("choices")
                        .get(0)
                        .get("delta")
                        .get("tool_calls")
                        .get(0)
                        .get("index")
                        .asInt())
                .isEqualTo(1);
        assertThat(chunks.get(4).get("choices").get(0).get("delta").toString())
                .isEqualTo("{\"tool_calls\":[{\"index\":1,\"function\":{\"arguments\":\"{\\\"x\\\":1}\"}}]}");
        assertThat(chunks.get(5).get("choices").get(0).get("finish_reason").asText())
                .isEqualTo("tool_calls");
        assertThat(chunks.get(6).get("usage"))
                .isEqualTo(
                        JSON.readTree(
                                "{\"prompt_tokens\":100,\"completion_tokens\":30,\"total_tokens\":130,"
                                        + "\"prompt_tokens_details\":{\"cached_tokens\":90,\"cache_creation_tokens\":0,\"cache_creation_1h_tokens\":0}}"));
        assertThat(chunks.get(6).get("choices")).isEmpty();
        for (JsonNode chunk : chunks) {
            assertThat(chunk.get("id").asText()).isEqualTo("msg_x");
            assertThat(chunk.get("model").asText()).isEqualTo("claude-x");
            assertThat(chunk.get("created").asLong()).isEqualTo(CREATED);
            assertThat(chunk.get("object").asText()).isEqualTo("chat.completion.chunk");
        }
        assertThat(recorder.completions).isEqualTo(1);
    }

    @Test
    void unreadableEventIsMalformed() {
        Recorder recorder = run(event("message_start", "{not json").getBytes(StandardCharsets.UTF_8), false);

        assertThat(recorder.errors).singleElement().satisfies(e -> {
            assertThat(e.kind()).isEqualTo(Kind.MALFORMED);
            assertThat(e.getMessage()).contains("message_start");
        });
    }

    private static String event(String name, String data) {
        return "event: " + name + "\ndata: " + data + "\n\n";
    }

    private static AnthropicStreamTranslator translator(Recorder recorder, boolean includeUsage) {
        return new AnthropicStreamTranslator("anthropic", "claude-requested", includeUsage, CREATED, JSON, recorder);
    }

    /** Drives a translator the way the transport does: a thrown event error is reported and ends it. */
    private static Recorder run(byte[] transcript, boolean includeUsage) {
        var recorder = new Recorder();
        var translator = translator(recorder, includeUsage);
        try {
            feed(translator, transcript);
            translator.onEnd();
        } catch (ProviderException refused) {
            translator.onError(refused);
        }
        return recorder;
    }

    /** In small pieces, as a network would deliver them. */
    private static void feed(AnthropicStreamTranslator translator, byte[] transcript) {
        var parser = new SseParser(translator::onEvent, 1 << 20);
        for (int i = 0; i < transcript.length; i += 7) {
            parser.feed(ByteBuffer.wrap(transcript, i, Math.min(7, transcript.length - i)));
        }
        parser.end();
    }

    private static final class Recorder implements StreamObserver<ChatCompletionChunk> {

        final List<ChatCompletionChunk> chunks = new ArrayList<>();
        final List<ProviderException> errors = new ArrayList<>();
        int completions;

        @Override
        public void onNext(ChatCompletionChunk item) {
            chunks.add(item);
        }

        @Override
        public void onComplete() {
            completions++;
        }

        @Override
        public void onError(ProviderException error) {
            errors.add(error);
        }
    }
}
