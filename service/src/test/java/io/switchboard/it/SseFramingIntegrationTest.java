package io.switchboard.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.testing.Behavior;
import io.switchboard.testing.FakeUpstream;
import io.switchboard.testing.OpenAiWire;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Content that looks like SSE framing (newlines, {@code data: [DONE]}, a bare CR) travels inside
 * the JSON of one event and never ends an event or the stream early: through the builtin echo,
 * and from an upstream whose chunks carry raw newlines.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class SseFramingIntegrationTest {

    private static final FakeUpstream UPSTREAM = GatewayFixture.startUpstream();
    // Read and request timeouts longer than the slow client's pause (that test stops reading for
    // a while; the upstream it pauses is idle meanwhile, and its stream takes that long).
    private static final DropwizardAppExtension<SwitchboardConfiguration> APP = GatewayFixture.app(
            UPSTREAM,
            ConfigOverride.config("providers[1].readTimeout", "30s"),
            ConfigOverride.config("gateway.requestTimeout", "30s"));
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HOSTILE =
            "one\n\ndata: [DONE]\n\nevent: error\ndata: {\"error\":1}\r\rtwo\r\n: comment\u2028end";

    @BeforeEach
    void setUp() {
        UPSTREAM.reset();
        GatewayFixture.listModels(UPSTREAM);
    }

    @AfterAll
    static void stopUpstream() {
        UPSTREAM.close();
    }

    /** Every event one {@code data:} line; all JSON but the last, which is the only {@code [DONE]}. */
    private static List<JsonNode> events(String body) throws Exception {
        assertThat(body).endsWith("data: [DONE]\n\n");
        String[] events = body.substring(0, body.length() - 2).split("\n\n", -1);
        var chunks = new ArrayList<JsonNode>();
        for (int i = 0; i < events.length; i++) {
            String event = events[i];
            assertThat(event)
                    .as("event %d is one data line", i)
                    .startsWith("data: ")
                    .doesNotContain("\n")
                    .doesNotContain("\r");
            if (i == events.length - 1) {
                assertThat(event).isEqualTo("data: [DONE]");
            } else {
                chunks.add(JSON.readTree(event.substring("data: ".length())));
            }
        }
        return chunks;
    }

    private static String content(List<JsonNode> chunks) {
        var text = new StringBuilder();
        for (JsonNode chunk : chunks) {
            JsonNode content = chunk.at("/choices/0/delta/content");
            if (content.isTextual()) {
                text.append(content.textValue());
            }
        }
        return text.toString();
    }

    @Test
    void theEchoStreamsFramingLookalikesAsContent() throws Exception {
        String body = JSON.writeValueAsString(JSON.createObjectNode()
                .put("model", "echo")
                .put("stream", true)
                .set(
                        "messages",
                        JSON.createArrayNode()
                                .add(JSON.createObjectNode().put("role", "user").put("content", HOSTILE))));

        var response = GatewayFixture.postJson(APP, "/v1/chat/completions", body);

        assertThat(response.statusCode()).isEqualTo(200);
        List<JsonNode> chunks = events(response.body());
        // The echo repeats the words of the message; whitespace between them becomes one space.
        assertThat(content(chunks)).isEqualTo(String.join(" ", HOSTILE.strip().split("\\s+")));
        assertThat(content(chunks)).contains("data: [DONE]", "{\"error\":1}");
    }

    @Test
    void newlinesInUpstreamContentStayInsideTheirEvent() throws Exception {
        var pieces = List.of(
                "one\n\n",
                "data: [DONE]\n\n",
                "\r\r",
                "event: error\n",
                "data: {\"error\":1}\n\n",
                "two\r\n: comment\u2028",
                "end");
        UPSTREAM.on(
                "POST",
                "/v1/chat/completions",
                Behavior.sse(OpenAiWire.chatStream("gpt-4o", pieces, false), Duration.ZERO));

        var response = GatewayFixture.postJson(
                APP,
                "/v1/chat/completions",
                "{\"model\":\"fake/gpt-4o\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(content(events(response.body()))).isEqualTo(String.join("", pieces));

        // And the official SDK, which parses the same stream, sees the same text.
        assertThat(sdkStreamText()).isEqualTo(String.join("", pieces));
    }

    /**
     * Chunks the upstream sends in one write reach the client in one HTTP chunk (one write and one
     * flush), not one each: the relay writes what one upstream read brought at the end of that
     * read. Read off the wire, where Jetty frames every flush as an HTTP/1.1 chunk.
     */
    @Test
    void chunksThatArriveTogetherLeaveInOneWrite() throws Exception {
        var pieces = new ArrayList<String>();
        for (int i = 0; i < 20; i++) {
            pieces.add("word" + i + " ");
        }
        // The whole stream as one body: the gateway reads it in one go.
        UPSTREAM.on(
                "POST",
                "/v1/chat/completions",
                Behavior.status(
                        200,
                        String.join("", OpenAiWire.chatStream("gpt-4o", pieces, false)),
                        Map.of("Content-Type", "text/event-stream")));
        String request =
                "{\"model\":\"fake/gpt-4o\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        byte[] body = request.getBytes(StandardCharsets.UTF_8);

        var httpChunks = new ArrayList<String>();
        try (var socket = new Socket("127.0.0.1", APP.getLocalPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream()
                    .write(
                            ("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                                            + "Content-Length: " + body.length + "\r\n\r\n")
                                    .getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().write(body);
            InputStream in = socket.getInputStream();
            String head = line(in);
            assertThat(head).startsWith("HTTP/1.1 200");
            boolean chunked = false;
            for (String header = line(in); !header.isEmpty(); header = line(in)) {
                chunked |= header.equalsIgnoreCase("Transfer-Encoding: chunked");
            }
            assertThat(chunked).as("a streamed answer is chunked").isTrue();
            for (int size = Integer.parseInt(line(in).trim(), 16);
                    size > 0;
                    size = Integer.parseInt(line(in).trim(), 16)) {
                httpChunks.add(new String(in.readNBytes(size), StandardCharsets.UTF_8));
                assertThat(line(in)).isEmpty();
            }
        }

        String all = String.join("", httpChunks);
        assertThat(content(events(all))).isEqualTo(String.join("", pieces));
        // 22 chat chunks and [DONE]: the chat chunks all in the first write ([DONE] follows when
        // the upstream's response completes).
        long withEvents = httpChunks.stream().filter(c -> c.contains("data: ")).count();
        assertThat(withEvents)
                .as("HTTP chunks carrying events, of %s", httpChunks)
                .isLessThanOrEqualTo(3);
        assertThat(httpChunks.get(0).split("\n\n"))
                .as("events in the first write")
                .hasSizeGreaterThan(20);
    }

    private static String line(InputStream in) throws Exception {
        var bytes = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new java.io.EOFException("the connection closed mid-line");
            }
            if (b != '\r') {
                bytes.write(b);
            }
        }
        return bytes.toString(StandardCharsets.US_ASCII);
    }

    /**
     * A client that stops reading holds up nobody else. A stream's reads run on the thread that
     * reads every connection of its provider (the upstream client's selector) whenever the next
     * bytes were not there yet, so the relay must never block there on a client: while one
     * client's socket is full its frames wait and its upstream is paused, and another stream from
     * the same provider flows meanwhile. When the slow client reads again it gets every event, in
     * order, then [DONE]. The slow stream's events come 2 ms apart so that its reads do go back
     * to the selector (reads of bytes already there go on, on whichever thread asked for them).
     */
    @Test
    void aClientThatStopsReadingHoldsUpNoOtherStream() throws Exception {
        var pieces = new ArrayList<String>();
        String filler = "x".repeat(16_000);
        for (int i = 0; i < 1_000; i++) {
            pieces.add(String.format("<%04d>%s", i, filler)); // 16 MB: more than the socket buffers hold
        }
        String expected = String.join("", pieces);
        var others = List.of("the ", "other ", "stream ", "flows");
        UPSTREAM.onNext(
                "POST",
                "/v1/chat/completions",
                Behavior.sse(OpenAiWire.chatStream("gpt-4o", pieces, false), Duration.ofMillis(2)),
                Behavior.sse(OpenAiWire.chatStream("gpt-4o", others, false), Duration.ofMillis(20)));
        byte[] body =
                "{\"model\":\"fake/gpt-4o\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"
                        .getBytes(StandardCharsets.UTF_8);

        try (var slow = new Socket()) {
            slow.setReceiveBufferSize(8 * 1024);
            slow.connect(new java.net.InetSocketAddress("127.0.0.1", APP.getLocalPort()));
            slow.setSoTimeout(30_000);
            slow.getOutputStream()
                    .write(
                            ("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                                            + "Content-Length: " + body.length + "\r\n\r\n")
                                    .getBytes(StandardCharsets.US_ASCII));
            slow.getOutputStream().write(body);
            InputStream in = slow.getInputStream();
            assertThat(line(in)).startsWith("HTTP/1.1 200");
            for (String header = line(in); !header.isEmpty(); header = line(in)) {
                // the headers; the body is chunked
            }
            // Now the slow client reads nothing for a while: its socket fills up, and so do the
            // gateway's buffers towards it. (Were the relay's write to block the thread that
            // reads the provider's connections, the next stream would now wait for it.)
            Thread.sleep(1_500);
            var other = CompletableFuture.supplyAsync(SseFramingIntegrationTest::sdkStreamText);
            assertThat(other)
                    .as("the other stream did not wait for the slow client")
                    .succeedsWithin(Duration.ofSeconds(10))
                    .isEqualTo(String.join("", others));

            // The slow client reads again and gets it all, in order.
            var all = new ByteArrayOutputStream();
            for (int size = Integer.parseInt(line(in).trim(), 16);
                    size > 0;
                    size = Integer.parseInt(line(in).trim(), 16)) {
                all.write(in.readNBytes(size));
                assertThat(line(in)).isEmpty();
            }
            String received = content(events(all.toString(StandardCharsets.UTF_8)));
            assertThat(markers(received))
                    .as("the slow client's pieces, in order: %s", gaps(markers(received)))
                    .isEqualTo(markers(expected));
            assertThat(received).as("the slow client's stream, whole").isEqualTo(expected);
        }
    }

    /** The numbers of the pieces in a text, in order: a short picture of a long stream. */
    private static List<String> markers(String text) {
        var found = new ArrayList<String>();
        var matcher = java.util.regex.Pattern.compile("<(\\d{4})>").matcher(text);
        while (matcher.find()) {
            found.add(matcher.group(1));
        }
        return found;
    }

    /** Where a run of piece numbers breaks, for a readable failure. */
    private static String gaps(List<String> markers) {
        var text = new StringBuilder(markers.size() + " pieces");
        int previous = -1;
        for (String marker : markers) {
            int n = Integer.parseInt(marker);
            if (n != previous + 1) {
                text.append(", ").append(previous).append(" then ").append(n);
            }
            previous = n;
        }
        return text.append(", last ").append(previous).toString();
    }

    /** A chat streamed from the fake upstream by the official SDK: the text it saw. */
    private static String sdkStreamText() {
        var params = ChatCompletionCreateParams.builder()
                .model("fake/gpt-4o")
                .addUserMessage("hi")
                .build();
        var seen = new StringBuilder();
        try (var stream = GatewayFixture.openAi(APP).chat().completions().createStreaming(params)) {
            stream.stream()
                    .forEach(chunk ->
                            chunk.choices().forEach(c -> c.delta().content().ifPresent(seen::append)));
        }
        return seen.toString();
    }
}
