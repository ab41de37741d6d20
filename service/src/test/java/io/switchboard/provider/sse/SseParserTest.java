package io.switchboard.provider.sse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SseParserTest {

    private static final int LIMIT = 64 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Wire text (UTF-8 encoded before feeding) and the events it must yield. */
    static Stream<Arguments> cases() {
        return Stream.of(
                row("one data line", "data: hello\n\n", event(null, "hello", null)),
                row("two events, LF", "data: a\n\ndata: b\n\n", event(null, "a", null), event(null, "b", null)),
                row(
                        "CRLF line endings",
                        "data: a\r\n\r\ndata: b\r\n\r\n",
                        event(null, "a", null),
                        event(null, "b", null)),
                row("CR line endings", "data: a\r\rdata: b\r\r", event(null, "a", null), event(null, "b", null)),
                row("mixed line endings", "data: a\r\n\ndata: b\r\r\n", event(null, "a", null), event(null, "b", null)),
                row(
                        "CR CR LF is one line end then a blank line",
                        "data: a\r\r\ndata: b\n\n",
                        event(null, "a", null),
                        event(null, "b", null)),
                row(
                        "multi-line data joins with LF",
                        "data: one\ndata: two\ndata: three\n\n",
                        event(null, "one\ntwo\nthree", null)),
                row(
                        "multi-line data with CRLF still joins with LF",
                        "data: one\r\ndata: two\r\n\r\n",
                        event(null, "one\ntwo", null)),
                row("event name", "event: message_start\ndata: {}\n\n", event("message_start", "{}", null)),
                row(
                        "event name does not carry over to the next event",
                        "event: a\ndata: 1\n\ndata: 2\n\n",
                        event("a", "1", null),
                        event(null, "2", null)),
                row(
                        "event without data is not dispatched and its name is dropped",
                        "event: x\n\ndata: y\n\n",
                        event(null, "y", null)),
                row(
                        "id is the last event id and persists",
                        "id: 42\ndata: x\n\ndata: y\n\nid: 43\ndata: z\n\n",
                        event(null, "x", "42"),
                        event(null, "y", "42"),
                        event(null, "z", "43")),
                row(
                        "id containing NUL is ignored",
                        "id: 1\ndata: a\n\nid: 2\u0000x\ndata: b\n\n",
                        event(null, "a", "1"),
                        event(null, "b", "1")),
                row(
                        "comments are ignored",
                        ": ping\n\ndata: a\n: inside an event\ndata: b\n\n:\n\n",
                        event(null, "a\nb", null)),
                row(
                        "data field without colon is an empty data line",
                        "data: a\ndata\ndata: b\n\n",
                        event(null, "a\n\nb", null)),
                row("lone data field without colon dispatches empty data", "data\n\n", event(null, "", null)),
                row("unknown field without colon is ignored", "foo\ndata: x\n\n", event(null, "x", null)),
                row(
                        "unknown field and retry are ignored",
                        "retry: 1000\nfoo: bar\ndata: x\n\n",
                        event(null, "x", null)),
                row("only one leading space is stripped", "data:  two spaces\n\n", event(null, " two spaces", null)),
                row("no space after colon", "data:tight\n\n", event(null, "tight", null)),
                row("trailing spaces are kept", "data: x  \n\n", event(null, "x  ", null)),
                row("data of a single space is empty", "data: \n\n", event(null, "", null)),
                row("colons in the value are kept", "data: {\"a\":\"b:c\"}\n\n", event(null, "{\"a\":\"b:c\"}", null)),
                row("multibyte UTF-8", "event: π\ndata: héllo 世界 🚀\n\n", event("π", "héllo 世界 🚀", null)),
                row("BOM at the start is skipped", "\uFEFFdata: a\n\n", event(null, "a", null)),
                row("BOM before a comment is skipped", "\uFEFF: hi\n\ndata: a\n\n", event(null, "a", null)),
                row("BOM later in the stream is not skipped", "data: a\n\n\uFEFFdata: b\n\n", event(null, "a", null)),
                row("unterminated final event is discarded", "data: a\n\ndata: b\n", event(null, "a", null)),
                row("unterminated final line is discarded", "data: a\n\ndata: b", event(null, "a", null)),
                row("empty stream", ""),
                row("only blank lines", "\n\n\r\n\r"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void parsesInOneFeed(String name, String wire, List<SseEvent> expected) {
        assertThat(parse(bytes(wire), List.of())).containsExactlyElementsOf(expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void parsesOneByteAtATime(String name, String wire, List<SseEvent> expected) {
        byte[] bytes = bytes(wire);
        var everyByte = new ArrayList<Integer>();
        for (int i = 1; i < bytes.length; i++) {
            everyByte.add(i);
        }
        assertThat(parse(bytes, everyByte)).containsExactlyElementsOf(expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void parsesInRandomSplits(String name, String wire, List<SseEvent> expected) {
        byte[] bytes = bytes(wire);
        for (long seed = 0; seed < 50; seed++) {
            List<Integer> splits = randomSplits(bytes.length, new Random(seed));
            assertThat(parse(bytes, splits)).as("splits %s", splits).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void crlfSplitBetweenFeedsIsOneLineEnd() {
        // Were the LF after a split CR read as a second line end, "a" would dispatch on its own.
        var events = new ArrayList<SseEvent>();
        var parser = new SseParser(events::add, LIMIT);
        feed(parser, "data: a\r");
        feed(parser, "\ndata: b\r");
        assertThat(events).isEmpty();
        feed(parser, "\n\r");
        assertThat(events).containsExactly(event(null, "a\nb", null));
        feed(parser, "\n");
        feed(parser, "data: c\r\n\r\n");
        assertThat(events).containsExactly(event(null, "a\nb", null), event(null, "c", null));
    }

    @Test
    void eventIsHandedOutAsSoonAsItsBlankLineArrives() {
        var events = new ArrayList<SseEvent>();
        var parser = new SseParser(events::add, LIMIT);
        feed(parser, "data: first\n");
        assertThat(events).isEmpty();
        feed(parser, "\ndata: second\n");
        assertThat(events).containsExactly(event(null, "first", null));
    }

    @Test
    void multibyteCharacterSplitAtEveryByte() {
        String text = "data: a🚀é世b\n\n"; // 4-, 2- and 3-byte sequences
        byte[] bytes = bytes(text);
        for (int cut = 1; cut < bytes.length; cut++) {
            assertThat(parse(bytes, List.of(cut))).as("cut at %d", cut).containsExactly(event(null, "a🚀é世b", null));
        }
    }

    @Test
    void endDiscardsThePendingEventAndResetsState() {
        var events = new ArrayList<SseEvent>();
        var parser = new SseParser(events::add, LIMIT);
        feed(parser, "event: half\ndata: pending\ndata: more");
        parser.end();
        assertThat(events).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"data: [DONE]\n\n", "data:[DONE]\n\n", "data: [DONE]\r\n\r\n"})
    void doneSentinelIsRecognised(String wire) {
        List<SseEvent> events = parse(bytes(wire), List.of());
        assertThat(events).hasSize(1);
        assertThat(events.get(0).isDone()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "data: [DONE] \n\n",
                "data:  [DONE]\n\n",
                "data: [done]\n\n",
                "data: {\"done\":true}\n\n",
                "data: [DONE]\ndata: more\n\n"
            })
    void nearMissesOfTheSentinelAreNotDone(String wire) {
        List<SseEvent> events = parse(bytes(wire), List.of());
        assertThat(events).hasSize(1);
        assertThat(events.get(0).isDone()).isFalse();
    }

    @Test
    void lineAtTheLimitIsAcceptedAndOneByteMoreIsMalformed() {
        int limit = 1024;
        String atLimit = "data: " + "x".repeat(limit - "data: ".length());
        assertThat(bytes(atLimit)).hasSize(limit);
        assertThat(parseWithLimit(atLimit + "\n\n", limit)).containsExactly(event(null, "x".repeat(limit - 6), null));

        var parser = new SseParser(event -> {}, limit);
        assertThatThrownBy(() -> parser.feed(ByteBuffer.wrap(bytes(atLimit + "x\n\n"))))
                .isInstanceOf(SseParser.MalformedStreamException.class)
                .hasMessageContaining(String.valueOf(limit));
    }

    @Test
    void overlongLineIsMalformedWhenFedByteByByte() {
        var parser = new SseParser(event -> {}, 1000);
        byte[] line = bytes("data: " + "y".repeat(5000));
        assertThatThrownBy(() -> {
                    for (byte b : line) {
                        parser.feed(ByteBuffer.wrap(new byte[] {b}));
                    }
                })
                .isInstanceOf(SseParser.MalformedStreamException.class);
    }

    @Test
    void limitCountsBytesOfOneLineNotOfTheStream() {
        int limit = 300;
        String line = "data: " + "z".repeat(limit - 6) + "\n";
        String stream = (line + "\n").repeat(20);
        assertThat(parseWithLimit(stream, limit)).hasSize(20);
    }

    @Test
    void limitBelowTheInitialBufferIsEnforced() {
        var parser = new SseParser(event -> {}, 16);
        assertThatThrownBy(() -> parser.feed(ByteBuffer.wrap(bytes("data: " + "q".repeat(100) + "\n\n"))))
                .isInstanceOf(SseParser.MalformedStreamException.class);
    }

    @Test
    void openAiTranscript() throws IOException {
        byte[] wire = fixture("/fixtures/openai/chat.completion.stream.sse");
        List<SseEvent> events = parse(wire, List.of());

        assertThat(events).hasSize(4);
        assertThat(events).extracting(SseEvent::event).containsOnlyNulls();
        assertThat(events).extracting(SseEvent::id).containsOnlyNulls();
        assertThat(events).extracting(SseEvent::isDone).containsExactly(false, false, false, true);
        var content = new StringBuilder();
        var finishReasons = new ArrayList<String>();
        for (SseEvent event : events.subList(0, 3)) {
            JsonNode chunk = JSON.readTree(event.data());
            assertThat(chunk.path("object").asText()).isEqualTo("chat.completion.chunk");
            assertThat(chunk.path("id").asText()).isEqualTo("chatcmpl-123");
            JsonNode choice = chunk.path("choices").path(0);
            content.append(choice.path("delta").path("content").asText(""));
            finishReasons.add(
                    choice.path("finish_reason").isNull()
                            ? null
                            : choice.path("finish_reason").asText());
        }
        assertThat(JSON.readTree(events.get(0).data())
                        .at("/choices/0/delta/role")
                        .asText())
                .isEqualTo("assistant");
        assertThat(content.toString()).isEqualTo("Hello");
        assertThat(finishReasons).containsExactly(null, null, "stop");
        assertSplitInvariant(wire, events);
    }

    @Test
    void anthropicTranscript() throws IOException {
        byte[] wire = fixture("/fixtures/anthropic/stream.text.sse");
        List<SseEvent> events = parse(wire, List.of());

        assertThat(events)
                .extracting(SseEvent::event)
                .containsExactly(
                        "message_start",
                        "content_block_start",
                        "ping",
                        "content_block_delta",
                        "content_block_delta",
                        "content_block_stop",
                        "message_delta",
                        "message_stop");
        var text = new StringBuilder();
        for (SseEvent event : events) {
            JsonNode data = JSON.readTree(event.data());
            // Anthropic repeats the event name as the payload's "type".
            assertThat(data.path("type").asText()).isEqualTo(event.event());
            if ("content_block_delta".equals(event.event())) {
                text.append(data.at("/delta/text").asText());
            }
        }
        assertThat(text.toString()).isEqualTo("Hello!");
        assertThat(JSON.readTree(events.get(6).data()).at("/delta/stop_reason").asText())
                .isEqualTo("end_turn");
        assertThat(events).noneMatch(SseEvent::isDone);
        assertSplitInvariant(wire, events);
    }

    @Test
    void transcriptsReframedWithCrlfOrCrGiveTheSameEvents() {
        for (String path :
                List.of("/fixtures/openai/chat.completion.stream.sse", "/fixtures/anthropic/stream.text.sse")) {
            String lf = new String(fixture(path), StandardCharsets.UTF_8);
            List<SseEvent> expected = parse(bytes(lf), List.of());
            assertThat(expected).as(path).isNotEmpty();
            assertSplitInvariant(bytes(lf.replace("\n", "\r\n")), expected);
            assertSplitInvariant(bytes(lf.replace("\n", "\r")), expected);
            assertSplitInvariant(bytes("\uFEFF" + lf), expected);
        }
    }

    private static void assertSplitInvariant(byte[] wire, List<SseEvent> expected) {
        var everyByte = new ArrayList<Integer>();
        for (int i = 1; i < wire.length; i++) {
            everyByte.add(i);
        }
        assertThat(parse(wire, everyByte)).containsExactlyElementsOf(expected);
        for (long seed = 0; seed < 20; seed++) {
            assertThat(parse(wire, randomSplits(wire.length, new Random(seed)))).containsExactlyElementsOf(expected);
        }
    }

    /** Feeds {@code bytes} cut at the given offsets (ascending), then ends the stream. */
    private static List<SseEvent> parse(byte[] bytes, List<Integer> cuts) {
        var events = new ArrayList<SseEvent>();
        var parser = new SseParser(events::add, LIMIT);
        int from = 0;
        for (int cut : cuts) {
            parser.feed(ByteBuffer.wrap(Arrays.copyOfRange(bytes, from, cut)));
            from = cut;
        }
        parser.feed(ByteBuffer.wrap(bytes, from, bytes.length - from));
        parser.end();
        return events;
    }

    private static List<SseEvent> parseWithLimit(String wire, int limit) {
        var events = new ArrayList<SseEvent>();
        var parser = new SseParser(events::add, limit);
        parser.feed(ByteBuffer.wrap(bytes(wire)));
        parser.end();
        return events;
    }

    private static List<Integer> randomSplits(int length, Random random) {
        var cuts = new ArrayList<Integer>();
        int at = 0;
        while (length > 1) {
            at += 1 + random.nextInt(Math.max(1, Math.min(length, 12)));
            if (at >= length) {
                break;
            }
            cuts.add(at);
        }
        return cuts;
    }

    private static void feed(SseParser parser, String text) {
        parser.feed(ByteBuffer.wrap(bytes(text)));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] fixture(String path) {
        return Fixtures.bytes(path);
    }

    private static SseEvent event(String name, String data, String id) {
        return new SseEvent(name, data, id);
    }

    private static Arguments row(String name, String wire, SseEvent... expected) {
        return Arguments.of(name, wire, List.of(expected));
    }
}
