package io.switchboard.provider.sse;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * An incremental parser of the {@code text/event-stream} format (WHATWG HTML, "Server-sent
 * events"): feed it bytes as they arrive, in any split, and it hands out whole events. Lines end
 * in LF, CRLF or CR; {@code data} lines join with LF; comments and unknown fields are skipped; a
 * blank line dispatches. Lines are decoded as UTF-8 only when whole, so a character split across
 * two reads survives. Not thread-safe: one parser per stream.
 */
public final class SseParser {

    private final Consumer<SseEvent> sink;
    private final int maxLineBytes;
    /** Where a read is copied to be scanned: one per thread, not per stream (thousands may be open). */
    private static final ThreadLocal<byte[]> SCRATCH = new ThreadLocal<>();

    private byte[] line = new byte[256];
    private int lineLength;
    private boolean lastWasCr;
    private boolean firstLine = true;
    private String eventName;
    private StringBuilder data;
    private String lastEventId;

    /**
     * @param sink         receives each event as soon as its blank line arrives
     * @param maxLineBytes the longest line accepted; a longer one is a malformed stream
     */
    public SseParser(Consumer<SseEvent> sink, int maxLineBytes) {
        this.sink = sink;
        this.maxLineBytes = maxLineBytes;
    }

    /** Consumes every remaining byte of {@code bytes}. */
    public void feed(ByteBuffer bytes) {
        // Copied out in bulk and scanned as an array: reading a direct buffer a byte at a time
        // (bounds and scope checks on each) was most of this parser's time.
        byte[] scratch = SCRATCH.get();
        SCRATCH.set(null); // a feed nested in a sink (another stream on this thread) takes a fresh one
        if (scratch == null) {
            scratch = new byte[8192];
        }
        try {
            while (bytes.hasRemaining()) {
                int n = Math.min(bytes.remaining(), scratch.length);
                bytes.get(scratch, 0, n);
                feed(scratch, n);
            }
        } finally {
            SCRATCH.set(scratch);
        }
    }

    private void feed(byte[] bytes, int end) {
        int i = 0;
        while (i < end) {
            if (lastWasCr) {
                lastWasCr = false;
                if (bytes[i] == '\n') {
                    i++; // the LF of a CRLF: the line already ended at the CR
                    continue;
                }
            }
            int stop = i;
            while (stop < end && bytes[stop] != '\n' && bytes[stop] != '\r') {
                stop++;
            }
            append(bytes, i, stop);
            if (stop == end) {
                return; // the line goes on in the next read
            }
            endLine();
            lastWasCr = bytes[stop] == '\r';
            i = stop + 1;
        }
    }

    /** The stream ended: an event not closed by a blank line is discarded, as the spec says. */
    public void end() {
        lineLength = 0;
        eventName = null;
        data = null;
    }

    private void append(byte[] bytes, int from, int to) {
        int length = to - from;
        if (lineLength + length > maxLineBytes) {
            throw new MalformedStreamException("Event stream line longer than " + maxLineBytes + " bytes");
        }
        if (lineLength + length > line.length) {
            line = Arrays.copyOf(line, Math.min(maxLineBytes, Math.max(line.length * 2, lineLength + length)));
        }
        System.arraycopy(bytes, from, line, lineLength, length);
        lineLength += length;
    }

    private void endLine() {
        int start = 0;
        if (firstLine) {
            firstLine = false;
            if (lineLength >= 3 && (line[0] & 0xFF) == 0xEF && (line[1] & 0xFF) == 0xBB && (line[2] & 0xFF) == 0xBF) {
                start = 3; // a UTF-8 byte order mark may open the stream
            }
        }
        int length = lineLength - start;
        lineLength = 0;
        if (length == 0) {
            dispatch();
            return;
        }
        if (line[start] == ':') {
            return; // a comment, e.g. a keep-alive
        }
        int colon = indexOf(line, start, start + length, (byte) ':');
        String field;
        String value;
        if (colon < 0) {
            field = new String(line, start, length, StandardCharsets.UTF_8);
            value = "";
        } else {
            field = new String(line, start, colon - start, StandardCharsets.UTF_8);
            int valueStart = colon + 1;
            if (valueStart < start + length && line[valueStart] == ' ') {
                valueStart++;
            }
            value = new String(line, valueStart, start + length - valueStart, StandardCharsets.UTF_8);
        }
        switch (field) {
            case "data" -> {
                if (data == null) {
                    data = new StringBuilder(value);
                } else {
                    data.append('\n').append(value);
                }
            }
            case "event" -> eventName = value;
            case "id" -> {
                if (value.indexOf('\0') < 0) {
                    lastEventId = value;
                }
            }
            default -> {
                // "retry" and unknown fields mean nothing to a relay.
            }
        }
    }

    private void dispatch() {
        if (data == null) {
            eventName = null; // an event without data is not dispatched
            return;
        }
        var event = new SseEvent(eventName, data.toString(), lastEventId);
        eventName = null;
        data = null;
        sink.accept(event);
    }

    private static int indexOf(byte[] bytes, int from, int to, byte target) {
        for (int i = from; i < to; i++) {
            if (bytes[i] == target) {
                return i;
            }
        }
        return -1;
    }

    /** The stream broke the format in a way that cannot be skipped. */
    public static final class MalformedStreamException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        MalformedStreamException(String message) {
            super(message);
        }
    }
}
