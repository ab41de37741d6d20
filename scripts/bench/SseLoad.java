import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A load generator for OpenAI-style streaming chat completions that reads server-sent events as
 * they arrive: one thread, one NIO selector, raw HTTP/1.1 (keep-alive, chunked), so thousands of
 * open streams cost it little and its timestamps are close to the socket.
 *
 * <p>Run as a single-file program (no build): {@code java scripts/bench/SseLoad.java --url URL
 * --model MODEL [--concurrency 64 --seconds 20 [--warmup 3] | --hold 5000 --ramp 500] [--timeout 120]
 * [--header "Name: value"]...}
 *
 * <ul>
 *   <li>closed loop ({@code --concurrency C --seconds S}): C connections, each sending one streamed
 *       request after another for S seconds; reports streams/s, time to the first event (request
 *       written to first {@code data:} event, {@code ttft_*}) and to the first token (the first
 *       event whose delta has text, {@code token_*}), gaps between events, whole-stream time.</li>
 *   <li>hold ({@code --hold N --ramp R}): opens N connections at R per second, one streamed request
 *       each, and keeps them until the upstream ends them; reports the peak of streams open at
 *       once and every error.</li>
 * </ul>
 * Last line: {@code RESULT key=value ...}, times in microseconds; {@code streams} counts the
 * streams sent after the warm-up, {@code streams_all} every stream that completed (for CPU per
 * stream over the whole run). {@code --header} (repeatable) adds a request header, e.g. a peer
 * gateway's routing headers. A stream is an error unless it is a 200 that ends with
 * {@code data: [DONE]} and carries no {@code {"error":...}} event.
 */
public final class SseLoad {

    private static final int HEADERS = 0;
    private static final int CHUNK_SIZE = 1;
    private static final int CHUNK_DATA = 2;
    private static final int CHUNK_END = 3;
    private static final int TRAILERS = 4;
    private static final int FIXED_BODY = 5;
    private static final int IDLE = 6;

    private final URI url;
    private final byte[] request;
    private final int concurrency;
    private final long runNanos;
    private final int hold;
    private final double rampPerSecond;
    private final long timeoutNanos;
    private final long warmupNanos;

    private final Selector selector;
    private final List<Conn> conns = new ArrayList<>();
    private final LongList ttft = new LongList();
    /** Request written to the first event that carries text ({@code "content":"x...}): the first token. */
    private final LongList ttftToken = new LongList();
    private final LongList gaps = new LongList();
    private final LongList totals = new LongList();
    private final Map<String, Integer> errors = new TreeMap<>();
    private long streamsOk;
    private long streamsAll;
    private long eventsOk;
    private int open;
    private int peakOpen;
    private long started;
    private boolean stopping;

    private SseLoad(Map<String, String> args) throws IOException {
        url = URI.create(args.getOrDefault("url", "http://127.0.0.1:18080/v1/chat/completions"));
        String model = args.getOrDefault("model", "fast-sse/bench-model");
        concurrency = Integer.parseInt(args.getOrDefault("concurrency", "64"));
        runNanos = (long) (Double.parseDouble(args.getOrDefault("seconds", "10")) * 1e9);
        hold = Integer.parseInt(args.getOrDefault("hold", "0"));
        rampPerSecond = Double.parseDouble(args.getOrDefault("ramp", "500"));
        timeoutNanos = (long) (Double.parseDouble(args.getOrDefault("timeout", "120")) * 1e9);
        warmupNanos = (long) (Double.parseDouble(args.getOrDefault("warmup", "0")) * 1e9);
        String body = "{\"model\":\"" + model + "\",\"stream\":true,\"messages\":["
                + "{\"role\":\"system\",\"content\":\"You are a concise assistant. Answer in one sentence.\"},"
                + "{\"role\":\"user\",\"content\":\"What does an LLM gateway add to each request, and how would you"
                + " measure it?\"}],\"temperature\":0.2,\"max_tokens\":64,\"user\":\"bench\"}";
        byte[] bodyBytes = body.getBytes(StandardCharsets.UTF_8);
        String head = "POST " + url.getRawPath() + " HTTP/1.1\r\n"
                + "Host: " + url.getHost() + ":" + url.getPort() + "\r\n"
                + "Content-Type: application/json\r\n"
                + "Accept: text/event-stream\r\n"
                + args.getOrDefault("header", "")
                + "Content-Length: " + bodyBytes.length + "\r\n\r\n";
        byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
        request = Arrays.copyOf(headBytes, headBytes.length + bodyBytes.length);
        System.arraycopy(bodyBytes, 0, request, headBytes.length, bodyBytes.length);
        selector = Selector.open();
    }

    public static void main(String[] argv) throws IOException {
        var args = new TreeMap<String, String>();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            String key = argv[i].replaceFirst("^--", "");
            // --header may repeat: the lines are kept, each ended with CRLF, in the request head
            String value = key.equals("header") ? args.getOrDefault(key, "") + argv[i + 1] + "\r\n" : argv[i + 1];
            args.put(key, value);
        }
        new SseLoad(args).run();
    }

    private void run() throws IOException {
        started = System.nanoTime();
        long lastReport = started;
        long lastTimeoutScan = started;
        int toOpen = hold > 0 ? hold : concurrency;
        int opened = 0;
        while (true) {
            long now = System.nanoTime();
            double elapsed = (now - started) / 1e9;
            if (hold == 0 && !stopping && now - started >= runNanos) {
                stopping = true;  // closed loop: no new requests; wait for those in flight
            }
            int due = hold > 0 ? (int) Math.min(toOpen, Math.floor(elapsed * rampPerSecond) + 1) : toOpen;
            while (opened < due) {
                openConnection();
                opened++;
            }
            if (opened == toOpen && busy() == 0 && (hold > 0 || stopping)) {
                break;
            }
            if (now - lastTimeoutScan > 1_000_000_000L) {
                lastTimeoutScan = now;
                for (Conn conn : conns) {
                    if (conn.state != IDLE && conn.sent > 0 && now - conn.sent > timeoutNanos) {
                        conn.fail("timeout");
                    }
                }
            }
            if (now - lastReport > 1_000_000_000L) {
                lastReport = now;
                System.err.printf(Locale.ROOT, "t=%.0fs connections=%d open_streams=%d ok=%d errors=%s%n",
                        elapsed, opened, open, streamsOk, errors);
            }
            selector.select(5);
            var keys = selector.selectedKeys();
            for (SelectionKey key : keys) {
                ((Conn) key.attachment()).ready(key);
            }
            keys.clear();
        }
        report((System.nanoTime() - started) / 1e9);
        selector.close();
    }

    private int busy() {
        int busy = 0;
        for (Conn conn : conns) {
            if (conn.state != IDLE) {
                busy++;
            }
        }
        return busy;
    }

    private void openConnection() throws IOException {
        var conn = new Conn();
        conns.add(conn);
        conn.channel = SocketChannel.open();
        conn.channel.configureBlocking(false);
        conn.channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        conn.state = HEADERS;
        conn.key = conn.channel.register(selector, SelectionKey.OP_CONNECT, conn);
        try {
            if (conn.channel.connect(new InetSocketAddress(url.getHost(), url.getPort()))) {
                conn.connected();
            }
        } catch (IOException e) {
            conn.fail("connect");
        }
    }

    private void report(double seconds) {
        ttft.sort();
        ttftToken.sort();
        gaps.sort();
        totals.sort();
        long errorCount = errors.values().stream().mapToLong(Integer::longValue).sum();
        var kinds = new StringBuilder();
        errors.forEach((kind, count) -> kinds.append(kinds.isEmpty() ? "" : ",").append(kind).append(':').append(count));
        System.out.printf(Locale.ROOT, "RESULT streams=%d seconds=%.3f sps=%.1f events_per_stream=%.2f"
                        + " ttft_p50=%d ttft_p90=%d ttft_p99=%d ttft_max=%d token_p50=%d token_p90=%d token_p99=%d gap_p50=%d gap_p90=%d gap_p99=%d"
                        + " gap_p999=%d gap_max=%d total_p50=%d total_p99=%d peak_open=%d streams_all=%d errors=%d"
                        + " error_kinds=%s%n",
                streamsOk, seconds, streamsOk / Math.max(1e-9, seconds - warmupNanos / 1e9), streamsOk == 0 ? 0.0 : (double) eventsOk / streamsOk,
                ttft.percentile(50), ttft.percentile(90), ttft.percentile(99), ttft.percentile(100),
                ttftToken.percentile(50), ttftToken.percentile(90), ttftToken.percentile(99),
                gaps.percentile(50), gaps.percentile(90), gaps.percentile(99), gaps.percentile(99.9),
                gaps.percentile(100), totals.percentile(50), totals.percentile(99), peakOpen, streamsAll, errorCount,
                kinds.isEmpty() ? "-" : kinds);
    }

    /** One connection and the response it is reading. */
    private final class Conn {

        SocketChannel channel;
        SelectionKey key;
        int state = IDLE;
        ByteBuffer out;
        final ByteBuffer in = ByteBuffer.allocate(8192);
        final ByteArrayOutputStream headerBytes = new ByteArrayOutputStream(256);
        final byte[] line = new byte[64 * 1024];
        int lineLength;
        // chunk-size and trailer lines: apart from the SSE line, which may span HTTP chunks
        final byte[] sizeLine = new byte[256];
        int sizeLength;
        int lastFour;
        int status;
        boolean chunked;
        boolean closeAfter;
        boolean streamOpen;
        long remaining;
        long sent;
        long firstEvent;
        long firstToken;
        long lastEvent;
        int events;
        boolean sawDone;
        boolean sawError;

        void connected() throws IOException {
            send();
        }

        void send() throws IOException {
            state = HEADERS;
            headerBytes.reset();
            lastFour = 0;
            lineLength = 0;
            sizeLength = 0;
            status = 0;
            chunked = false;
            closeAfter = false;
            remaining = -1;
            firstEvent = 0;
            firstToken = 0;
            lastEvent = 0;
            events = 0;
            sawDone = false;
            sawError = false;
            out = ByteBuffer.wrap(request);
            sent = System.nanoTime();
            channel.write(out);
            key.interestOps(out.hasRemaining() ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
        }

        void ready(SelectionKey selected) {
            try {
                if (!selected.isValid()) {
                    return;
                }
                if (selected.isConnectable()) {
                    channel.finishConnect();
                    connected();
                    return;
                }
                if (selected.isWritable()) {
                    channel.write(out);
                    if (!out.hasRemaining()) {
                        key.interestOps(SelectionKey.OP_READ);
                    }
                    return;
                }
                if (selected.isReadable()) {
                    in.clear();
                    int read = channel.read(in);
                    long now = System.nanoTime();
                    if (read < 0) {
                        fail(state == HEADERS && headerBytes.size() == 0 ? "closed_before_response" : "closed_mid_stream");
                        return;
                    }
                    in.flip();
                    while (in.hasRemaining() && state != IDLE) {
                        consume(in.get(), now);
                    }
                }
            } catch (IOException e) {
                fail(state == HEADERS && sent == 0 ? "connect" : "io");
            }
        }

        private void consume(byte b, long now) throws IOException {
            switch (state) {
                case HEADERS -> {
                    headerBytes.write(b);
                    lastFour = lastFour << 8 | (b & 0xFF);
                    if (lastFour == 0x0D0A0D0A) {
                        headersDone(headerBytes.toString(StandardCharsets.ISO_8859_1));
                    }
                }
                case CHUNK_SIZE -> {
                    if (b == '\n') {
                        String size = new String(sizeLine, 0, sizeLength, StandardCharsets.US_ASCII).trim();
                        int semicolon = size.indexOf(';');
                        remaining = Long.parseLong(semicolon < 0 ? size : size.substring(0, semicolon), 16);
                        sizeLength = 0;
                        state = remaining == 0 ? TRAILERS : CHUNK_DATA;
                    } else if (b != '\r' && sizeLength < sizeLine.length) {
                        sizeLine[sizeLength++] = b;
                    }
                }
                case CHUNK_DATA -> {
                    body(b, now);
                    if (--remaining == 0) {
                        state = CHUNK_END;
                    }
                }
                case CHUNK_END -> {
                    if (b == '\n') {
                        state = CHUNK_SIZE;
                        sizeLength = 0;
                    }
                }
                case TRAILERS -> {
                    if (b == '\n') {
                        if (sizeLength == 0) {
                            complete(now);
                        }
                        sizeLength = 0;
                    } else if (b != '\r') {
                        sizeLength++;
                    }
                }
                case FIXED_BODY -> {
                    body(b, now);
                    if (--remaining == 0) {
                        complete(now);
                    }
                }
                default -> throw new IllegalStateException("byte in state " + state);
            }
        }

        private void headersDone(String head) {
            status = Integer.parseInt(head.substring(9, 12));
            String lower = head.toLowerCase(Locale.ROOT);
            chunked = lower.contains("\r\ntransfer-encoding: chunked");
            closeAfter = lower.contains("\r\nconnection: close");
            int length = lower.indexOf("\r\ncontent-length:");
            lineLength = 0;
            if (status == 200 && !streamOpen) {
                streamOpen = true;
                open++;
                peakOpen = Math.max(peakOpen, open);
            }
            if (chunked) {
                state = CHUNK_SIZE;
            } else if (length >= 0) {
                int end = lower.indexOf('\r', length + 2);
                remaining = Long.parseLong(lower.substring(length + 17, end).trim());
                state = FIXED_BODY;
                if (remaining == 0) {
                    complete(System.nanoTime());
                }
            } else {
                fail("no_length");
            }
        }

        /** One byte of the body: SSE lines; a data line is an event. */
        private void body(byte b, long now) {
            if (b != '\n') {
                if (lineLength < line.length) {
                    line[lineLength++] = b;
                }
                return;
            }
            int length = lineLength > 0 && line[lineLength - 1] == '\r' ? lineLength - 1 : lineLength;
            lineLength = 0;
            if (length < 5 || line[0] != 'd' || line[1] != 'a' || line[2] != 't' || line[3] != 'a' || line[4] != ':') {
                return;  // blank line, comment (keep-alive) or another field
            }
            int start = length > 5 && line[5] == ' ' ? 6 : 5;
            String value = new String(line, start, length - start, StandardCharsets.UTF_8);
            if (value.equals("[DONE]")) {
                sawDone = true;
                return;
            }
            if (value.startsWith("{\"error\"")) {
                sawError = true;
                return;
            }
            if (firstToken == 0 && carriesText(value)) {
                firstToken = now;
            }
            if (events == 0) {
                firstEvent = now;
            } else if (measured()) {
                gaps.add((now - lastEvent) / 1000);
            }
            lastEvent = now;
            events++;
        }

        /** An OpenAI chunk whose delta has text: {@code "content":"} and not an empty string. */
        private static boolean carriesText(String data) {
            int at = data.indexOf("\"content\":\"");
            return at >= 0 && at + 11 < data.length() && data.charAt(at + 11) != '"';
        }

        private void complete(long now) {
            leaveOpen();
            if (status != 200) {
                error("status_" + status);
            } else if (sawError) {
                error("error_event");
            } else if (!sawDone) {
                error("no_done");
            } else {
                streamsAll++;
                if (measured()) {
                    streamsOk++;
                    eventsOk += events;
                    ttft.add((firstEvent - sent) / 1000);
                    if (firstToken != 0) {
                        ttftToken.add((firstToken - sent) / 1000);
                    }
                    totals.add((now - sent) / 1000);
                }
            }
            state = IDLE;
            if (hold == 0 && !stopping && !closeAfter) {
                try {
                    send();
                } catch (IOException e) {
                    fail("io");
                }
            } else {
                close();
            }
        }

        /** Streams sent during the warm-up are not counted (errors always are). */
        private boolean measured() {
            return sent - started >= warmupNanos;
        }

        void fail(String kind) {
            leaveOpen();
            if (state != IDLE) {
                error(kind);
            }
            state = IDLE;
            close();
        }

        private void leaveOpen() {
            if (streamOpen) {
                streamOpen = false;
                open--;
            }
        }

        private void close() {
            key.cancel();
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing a socket that already failed; the failure was counted
            }
        }
    }

    private void error(String kind) {
        errors.merge(kind, 1, Integer::sum);
    }

    /** A growable array of longs with nearest-rank percentiles. */
    private static final class LongList {

        private long[] values = new long[1024];
        private int size;

        void add(long value) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }

        void sort() {
            Arrays.sort(values, 0, size);
        }

        long percentile(double p) {
            if (size == 0) {
                return -1;
            }
            int rank = (int) Math.ceil(p / 100.0 * size);
            return values[Math.max(0, Math.min(size - 1, rank - 1))];
        }
    }
}
