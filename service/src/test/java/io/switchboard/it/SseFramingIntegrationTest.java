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

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Content that looks like SSE framing (newlines, {@code data: [DONE]}, a bare CR) travels inside
 * the JSON of one event and never ends an event or the stream early: through the builtin echo,
 * and from an upstream whose chunks carry raw newlines. And clients that stop reading: a stream's
 * upstream pauses with them, and a large JSON answer waits for them without holding a thread.
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
    /** A slow client's socket receive buffer (Linux doubles what is asked). */
    private static final int CLIENT_RECEIVE_BUFFER = 8 * 1024;

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
        var httpChunks = new ArrayList<String>();
        try (var socket = new Socket("127.0.0.1", APP.getLocalPort())) {
            socket.setSoTimeout(10_000);
            sendChat(socket, true);
            InputStream in = socket.getInputStream();
            assertThat(readHead(in)).as("a streamed answer is chunked").isTrue();
            readChunks(in, chunk -> httpChunks.add(new String(chunk, StandardCharsets.UTF_8)));
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
        try (var slow = new Socket()) {
            slow.setReceiveBufferSize(CLIENT_RECEIVE_BUFFER);
            slow.connect(new java.net.InetSocketAddress("127.0.0.1", APP.getLocalPort()));
            slow.setSoTimeout(30_000);
            sendChat(slow, true);
            InputStream in = slow.getInputStream();
            assertThat(readHead(in)).as("a streamed answer is chunked").isTrue();
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
            readChunks(in, all::writeBytes);
            String received = content(events(all.toString(StandardCharsets.UTF_8)));
            assertThat(markers(received))
                    .as("the slow client's pieces, in order: %s", gaps(markers(received)))
                    .isEqualTo(markers(expected));
            assertThat(received).as("the slow client's stream, whole").isEqualTo(expected);
        }
    }

    /**
     * A client that stops reading stops the upstream: the gateway reads no more of the upstream
     * than the sockets between them hold, so its memory does not grow with the stream. The fake
     * upstream writes a 65 MB stream as fast as its socket takes it and counts what it got out;
     * the client reads the status and headers, then nothing. Once the upstream's progress stops,
     * it must be no further than every socket buffer on the way could hold, which is well short
     * of the stream: a relay that kept reading and queued the frames would let the upstream write
     * all of it. Then the client reads again and gets every event, in order, then [DONE].
     */
    @Test
    void aClientThatStopsReadingStopsItsUpstream() throws Exception {
        var pieces = new ArrayList<String>();
        var numbers = new ArrayList<String>();
        String filler = "y".repeat(16_000);
        for (int i = 0; i < 4_000; i++) {
            numbers.add(String.format("%04d", i));
            pieces.add("<" + numbers.get(i) + ">" + filler);
        }
        List<String> frames = OpenAiWire.chatStream("gpt-4o", pieces, false);
        long streamBytes = frames.stream().mapToLong(String::length).sum(); // ASCII: a byte a char
        long socketsHold = socketsHold();
        // A relay that buffered everything would let the upstream write all of it: for that to
        // fail by a wide margin (22 MB here), the stream is a third longer than the sockets hold.
        assertThat(socketsHold * 4 / 3)
                .as(
                        "what the sockets can hold (%d bytes) and a third must be less than the stream"
                                + " (%d bytes), or a relay that buffered all of it could pass",
                        socketsHold, streamBytes)
                .isLessThan(streamBytes);
        UPSTREAM.on("POST", "/v1/chat/completions", Behavior.sse(frames, Duration.ZERO));

        try (var slow = new Socket()) {
            slow.setReceiveBufferSize(CLIENT_RECEIVE_BUFFER);
            slow.connect(new java.net.InetSocketAddress("127.0.0.1", APP.getLocalPort()));
            slow.setSoTimeout(30_000);
            sendChat(slow, true);
            InputStream in = new BufferedInputStream(slow.getInputStream());
            assertThat(readHead(in)).as("a streamed answer is chunked").isTrue();

            // The client reads nothing now: the upstream's writes must stop within what the
            // sockets on the way hold.
            long stalledAt = awaitUpstreamStall();
            assertThat(stalledAt)
                    .as(
                            "bytes the upstream wrote (%d events of %d) while the client read nothing;"
                                    + " the sockets on the way hold at most %d",
                            UPSTREAM.sseEventsWritten(), frames.size(), socketsHold)
                    .isLessThanOrEqualTo(socketsHold);

            // The client reads again, with a larger buffer (the rest takes a second, not ten),
            // and gets it all, in order, then [DONE].
            slow.setReceiveBufferSize(4 * 1024 * 1024);
            var all = new ByteArrayOutputStream((int) (streamBytes + streamBytes / 8));
            readChunks(in, all::writeBytes);
            String received = content(events(all.toString(StandardCharsets.UTF_8)));
            List<String> markers = markers(received);
            assertThat(markers).as("the pieces, in order: %s", gaps(markers)).isEqualTo(numbers);
            assertThat(received).as("the stream, whole").isEqualTo(String.join("", pieces));
            assertThat(UPSTREAM.sseBytesWritten()).isEqualTo(streamBytes);
        }
    }

    /**
     * Clients that stop reading large JSON answers hold no thread: the answer is sent without
     * blocking, so the upstream pool, where a blocking write would wait (one thread per client,
     * until the idle timeout), has no busy thread while they wait; another request is answered
     * meanwhile, and each client then reads its whole answer.
     */
    @Test
    void clientsThatStopReadingJsonAnswersHoldNoThread() throws Exception {
        // More than the gateway's send buffer (autotuned up to tcp_wmem's maximum) and a slow
        // client's receive buffer hold: a blocking write of it would wait for the client.
        int size = (int) (2 * kernelMaximum("tcp_wmem") + 1024 * 1024);
        String content = "<" + "z".repeat(size) + ">";
        UPSTREAM.on("POST", "/v1/chat/completions", Behavior.json(200, OpenAiWire.chatCompletion("gpt-4o", content)));
        // The pool also runs each upstream client's selector, always busy: those are the baseline.
        double idle = upstreamThreadsBusy();
        var clients = new ArrayList<Socket>();
        try {
            for (int i = 0; i < 3; i++) {
                var slow = new Socket();
                clients.add(slow);
                slow.setReceiveBufferSize(CLIENT_RECEIVE_BUFFER);
                slow.connect(new java.net.InetSocketAddress("127.0.0.1", APP.getLocalPort()));
                slow.setSoTimeout(30_000);
                sendChat(slow, false);
            }
            UPSTREAM.awaitRequests("/v1/chat/completions", clients.size(), Duration.ofSeconds(10));
            for (var slow : clients) {
                awaitBytes(slow.getInputStream());
            }
            // Every answer has begun, none can end: no thread may be waiting on one.
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            double busy = upstreamThreadsBusy();
            while (busy > idle && System.nanoTime() < deadline) {
                Thread.sleep(50);
                busy = upstreamThreadsBusy();
            }
            assertThat(busy)
                    .as(
                            "upstream pool threads busy while %d clients read nothing (%.0f when idle)",
                            clients.size(), idle)
                    .isEqualTo(idle);

            UPSTREAM.on("POST", "/v1/chat/completions", Behavior.json(200, OpenAiWire.chatCompletion("gpt-4o", "hi")));
            var other = GatewayFixture.openAi(APP)
                    .chat()
                    .completions()
                    .create(com.openai.models.chat.completions.ChatCompletionCreateParams.builder()
                            .model("fake/gpt-4o")
                            .addUserMessage("meanwhile")
                            .build());
            assertThat(other.choices().get(0).message().content()).hasValue("hi");

            for (var slow : clients) {
                slow.setReceiveBufferSize(4 * 1024 * 1024);
                InputStream in = new BufferedInputStream(slow.getInputStream());
                long length = -1;
                assertThat(line(in)).startsWith("HTTP/1.1 200");
                for (String header = line(in); !header.isEmpty(); header = line(in)) {
                    if (header.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                        length = Long.parseLong(header.substring(15).trim());
                    }
                }
                assertThat(length).as("a JSON answer has its length").isPositive();
                var answer = JSON.readTree(in.readNBytes((int) length));
                assertThat(answer.at("/choices/0/message/content").asText()).isEqualTo(content);
            }
        } finally {
            for (var slow : clients) {
                slow.close();
            }
        }
    }

    /** Waits until {@code in} has bytes to read (an answer has begun); fails after 10 s. */
    private static void awaitBytes(InputStream in) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (in.available() == 0) {
            assertThat(System.nanoTime()).as("no answer began within 10 s").isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    /** The gateway's {@code switchboard_upstream_threads_busy} gauge, read from its admin port. */
    private static double upstreamThreadsBusy() throws Exception {
        var metrics = PrometheusText.parse(GatewayFixture.HTTP
                .send(
                        java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                                        "http://127.0.0.1:" + APP.getAdminPort() + "/metrics/prometheus"))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString())
                .body());
        return metrics.sum("switchboard_upstream_threads_busy", java.util.Map.of());
    }

    /** Sends a chat for {@code fake/gpt-4o} on a raw connection, streamed or not. */
    private static void sendChat(Socket socket, boolean stream) throws Exception {
        byte[] body = ("{\"model\":\"fake/gpt-4o\",\"stream\":" + stream
                        + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .getBytes(StandardCharsets.UTF_8);
        socket.getOutputStream()
                .write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                                + "Content-Length: " + body.length + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().write(body);
    }

    /** Reads a 200's status line and headers; true when the body is chunked. */
    private static boolean readHead(InputStream in) throws Exception {
        assertThat(line(in)).startsWith("HTTP/1.1 200");
        boolean chunked = false;
        for (String header = line(in); !header.isEmpty(); header = line(in)) {
            chunked |= header.equalsIgnoreCase("Transfer-Encoding: chunked");
        }
        return chunked;
    }

    /** Reads a chunked body to its end, handing each HTTP chunk on as it comes. */
    private static void readChunks(InputStream in, java.util.function.Consumer<byte[]> each) throws Exception {
        for (int size = Integer.parseInt(line(in).trim(), 16); size > 0; size = Integer.parseInt(line(in).trim(), 16)) {
            each.accept(in.readNBytes(size));
            assertThat(line(in)).isEmpty();
        }
    }

    /**
     * The most stream bytes the sockets between the fake upstream and a client that reads
     * nothing can hold while the gateway holds none: the upstream's send buffer, the gateway's
     * receive buffer on its upstream connection, its send buffer towards the client and the
     * client's receive buffer. Neither Jetty's client nor the gateway's connector sets the first
     * three, so Linux autotunes them, each up to the maximum in {@code tcp_wmem} or
     * {@code tcp_rmem} (4 MB and 6 MB by default, raised on some machines: read, not assumed;
     * 4 + 32 + 4 MB where this was written). The kernel counts every buffer's whole size against
     * those limits, so the payload they hold is less. Plus 1 MB for what may rightly sit in the
     * gateway and beyond a limit: its 16 KB upstream read buffer, the frames of the read that
     * found the client's socket full, the connector's 32 KB output buffer, one packet over each
     * socket's limit. (Where this was written the upstream stopped after 4 to 7.5 MB.)
     */
    private static long socketsHold() throws Exception {
        long sendMax = kernelMaximum("tcp_wmem");
        long receiveMax = kernelMaximum("tcp_rmem");
        return sendMax + receiveMax + sendMax + 2L * CLIENT_RECEIVE_BUFFER + 1024 * 1024;
    }

    /** The third (maximum) of a {@code /proc/sys/net/ipv4} triple; read by line (Files.readString stops short on /proc). */
    private static long kernelMaximum(String name) throws Exception {
        String triple = Files.readAllLines(Path.of("/proc/sys/net/ipv4", name)).get(0);
        return Long.parseLong(triple.trim().split("\\s+")[2]);
    }

    /**
     * Waits until the fake upstream's SSE writes have not moved for half a second (its writer is
     * blocked on a full socket, or done) and returns the bytes written; fails after 10 s.
     */
    private static long awaitUpstreamStall() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        long last = UPSTREAM.sseBytesWritten();
        long since = System.nanoTime();
        while (System.nanoTime() - since < Duration.ofMillis(500).toNanos()) {
            assertThat(deadline - System.nanoTime())
                    .as("the upstream kept writing for 10 s (%d bytes so far)", last)
                    .isPositive();
            Thread.sleep(25);
            long now = UPSTREAM.sseBytesWritten();
            if (now != last) {
                last = now;
                since = System.nanoTime();
            }
        }
        return last;
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
