package io.switchboard.testing;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What {@link FakeUpstream} does with a request on a scripted route.
 *
 * <p>A sealed set of immutable values rather than a callback, so that scripts are plain data: they
 * can be shared between tests, printed in assertion messages, and the server owns every blocking
 * step (which is what lets {@link FakeUpstream#close()} release them all promptly).
 */
public sealed interface Behavior
        permits Behavior.Respond, Behavior.Sse, Behavior.Delay, Behavior.Hang, Behavior.CloseConnection {

    /** Content-Type used by {@link #json} and {@link #malformed()}. */
    String APPLICATION_JSON = "application/json";

    /** Content-Type used by the SSE behaviors. */
    String TEXT_EVENT_STREAM = "text/event-stream";

    /** A complete, non-streamed response. */
    record Respond(int status, String body, Map<String, String> headers) implements Behavior {
        public Respond {
            checkStatus(status);
            Objects.requireNonNull(body, "body");
            // Map.copyOf: scripts are values, later mutation of the caller's map must not leak in.
            headers = Map.copyOf(headers);
        }
    }

    /** How an SSE stream ends after its first {@code sendCount} events have been written. */
    enum SseEnding {
        /** All events are sent and the response completes normally (terminating chunk). */
        COMPLETE,
        /** The connection is aborted without the terminating chunk: the client sees a broken body. */
        CUT,
        /** Nothing more is sent; the response stays open until the client leaves or close(). */
        STALL
    }

    /**
     * A {@code 200 text/event-stream} response whose events are written (and flushed) one at a time.
     *
     * @param events complete SSE frames, written byte-for-byte as given
     * @param gap pause between consecutive writes
     * @param ending what happens after {@code sendCount} events
     * @param sendCount how many events are written before {@code ending} applies
     */
    record Sse(List<String> events, Duration gap, SseEnding ending, int sendCount) implements Behavior {
        public Sse {
            events = List.copyOf(events);
            checkDuration(gap, "gap");
            Objects.requireNonNull(ending, "ending");
            if (sendCount < 0 || sendCount > events.size()) {
                throw new IllegalArgumentException(
                        "sendCount must be within 0.." + events.size() + " but was " + sendCount);
            }
        }
    }

    /** Waits before anything (status line, headers) is sent, then behaves as {@code then}. */
    record Delay(Duration delay, Behavior then) implements Behavior {
        public Delay {
            checkDuration(delay, "delay");
            Objects.requireNonNull(then, "then");
        }
    }

    /** Reads the request and never answers (until the client leaves or the server closes). */
    record Hang() implements Behavior {}

    /** Reads the request, then closes the socket without writing a single response byte. */
    record CloseConnection() implements Behavior {}

    /** {@code status} with Content-Type application/json and {@code body}. */
    static Behavior json(int status, String body) {
        return json(status, body, Map.of());
    }

    /**
     * {@code status} with Content-Type application/json, {@code body} and extra {@code headers}
     * (e.g. {@code retry-after}, {@code x-request-id}). A Content-Type in {@code headers} wins.
     */
    static Behavior json(int status, String body, Map<String, String> headers) {
        return new Respond(status, body, withDefaultContentType(headers, APPLICATION_JSON));
    }

    /**
     * Generic response: exactly {@code headers} (no Content-Type is added, so tests can also check
     * how the client copes with a missing one).
     */
    static Behavior status(int status, String body, Map<String, String> headers) {
        return new Respond(status, body, headers);
    }

    /** 200 application/json whose body is cut off mid-document, i.e. not parseable JSON. */
    static Behavior malformed() {
        return json(200, "{\"id\": \"chatcmpl-1\", \"choices\": [");
    }

    /** Streams all {@code events}, pausing {@code gap} between them, then completes normally. */
    static Behavior sse(List<String> events, Duration gap) {
        return new Sse(events, gap, SseEnding.COMPLETE, events.size());
    }

    /**
     * Streams the first {@code k} events, waits {@code gap} (so the client has processed the last
     * one), then aborts the connection without the terminating chunk.
     */
    static Behavior sseThenCut(List<String> events, Duration gap, int k) {
        return new Sse(events, gap, SseEnding.CUT, k);
    }

    /**
     * Streams the first {@code k} events, then sends nothing more while keeping the connection open
     * until the client disconnects or the server is closed.
     */
    static Behavior sseThenStall(List<String> events, Duration gap, int k) {
        return new Sse(events, gap, SseEnding.STALL, k);
    }

    /** Waits {@code d} before the status line and headers are sent, then does {@code then}. */
    static Behavior delay(Duration d, Behavior then) {
        return new Delay(d, then);
    }

    /** Accepts the request and never answers. */
    static Behavior hang() {
        return new Hang();
    }

    /** Reads the request, then closes the connection with no response at all. */
    static Behavior closeConnection() {
        return new CloseConnection();
    }

    private static Map<String, String> withDefaultContentType(Map<String, String> headers, String contentType) {
        boolean hasContentType = headers.keySet().stream().anyMatch(name -> name.equalsIgnoreCase("Content-Type"));
        if (hasContentType) {
            return headers;
        }
        Map<String, String> merged = new LinkedHashMap<>(headers);
        merged.put("Content-Type", contentType);
        return merged;
    }

    private static void checkStatus(int status) {
        if (status < 100 || status > 999) {
            throw new IllegalArgumentException("not an HTTP status: " + status);
        }
    }

    private static void checkDuration(Duration duration, String what) {
        Objects.requireNonNull(duration, what);
        if (duration.isNegative()) {
            throw new IllegalArgumentException(what + " must not be negative: " + duration);
        }
    }
}
