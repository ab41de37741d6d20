package io.switchboard.testing;

import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Invocable;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * A scriptable HTTP/1.1 server on 127.0.0.1 standing in for an LLM provider in tests.
 *
 * <p>It is a real socket server (Jetty 12 core, no servlets) rather than a mocked client, so the
 * gateway's actual HTTP client, timeouts, streaming and connection handling are exercised: slow
 * headers, streams that break or stall mid-way, connections closed without a response.
 *
 * <pre>{@code
 * try (FakeUpstream upstream = FakeUpstream.start()) {
 *   upstream.onNext("POST", "/v1/chat/completions", Behavior.json(503, OpenAiWire.error(...)));
 *   upstream.on("POST", "/v1/chat/completions",
 *       Behavior.json(200, OpenAiWire.chatCompletion("gpt-4o-mini", "hi")));
 *   // ... point the gateway at upstream.baseUrl() + "/v1" and call it ...
 *   assertThat(upstream.count("/v1/chat/completions")).isEqualTo(2);
 * }
 * }</pre>
 *
 * <p>Every blocking step of a behavior (gaps, delays, hangs, stalls) waits on one shared "closing"
 * signal, so {@link #close()} returns promptly even with requests in flight: those are aborted at
 * the connection level and their clients see an I/O error.
 */
public final class FakeUpstream implements AutoCloseable {

    /** How often a stalled or hung response checks whether its client has gone away. */
    private static final long WATCH_INTERVAL_MILLIS = 50;

    /**
     * Connection idle timeout. Far above any test's duration, so that Jetty never answers a hung
     * request on its own (it would send a 500) and tests observe their client's timeouts only.
     */
    private static final Duration IDLE_TIMEOUT = Duration.ofMinutes(10);

    private final Server server;
    private final ServerConnector connector;
    private final Map<Route, Behavior> routes = new ConcurrentHashMap<>();
    private final Map<Route, Queue<Behavior>> oneShots = new ConcurrentHashMap<>();
    private final CountDownLatch closing = new CountDownLatch(1);
    private final AtomicInteger openStreams = new AtomicInteger();
    private final AtomicLong sseEventsWritten = new AtomicLong();
    private final AtomicLong sseBytesWritten = new AtomicLong();

    // One monitor guards the recordings and the disconnect counter so waiters need only one wait().
    private final Object monitor = new Object();
    private final List<RecordedRequest> recorded = new ArrayList<>();
    private int clientDisconnects;

    private FakeUpstream() {
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("fake-upstream");
        // Daemon threads: a test that forgets close() must not keep the JVM (surefire fork) alive.
        threads.setDaemon(true);
        server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        connector.setIdleTimeout(IDLE_TIMEOUT.toMillis());
        server.addConnector(connector);
        server.setHandler(new Dispatcher());
        // Nothing graceful to wait for: in-flight requests are released via `closing` before stop().
        server.setStopTimeout(0);
    }

    /** Starts a server on an ephemeral loopback port. */
    public static FakeUpstream start() {
        FakeUpstream upstream = new FakeUpstream();
        try {
            upstream.server.start();
        } catch (Exception e) {
            upstream.close();
            throw new IllegalStateException("could not start FakeUpstream", e);
        }
        return upstream;
    }

    /** {@code http://127.0.0.1:PORT}, without a trailing slash. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    /** {@link #baseUrl()} plus {@code pathAndQuery} (which should start with {@code /}). */
    public URI uri(String pathAndQuery) {
        return URI.create(baseUrl() + pathAndQuery);
    }

    /** The bound local port. */
    public int port() {
        return connector.getLocalPort();
    }

    /**
     * Scripts {@code method path} (exact path, query ignored) to {@code behavior} for every request,
     * replacing any earlier {@code on} for the same route. Requests are served from {@link #onNext}
     * queue first.
     */
    public FakeUpstream on(String method, String path, Behavior behavior) {
        routes.put(new Route(method, path), Objects.requireNonNull(behavior, "behavior"));
        return this;
    }

    /**
     * Queues one-shot behaviors for {@code method path}: the next requests consume them in order
     * (appended after any still queued), after which the route falls back to its {@link #on}
     * behavior, or 404 when there is none.
     */
    public FakeUpstream onNext(String method, String path, Behavior... behaviors) {
        Queue<Behavior> queue = oneShots.computeIfAbsent(new Route(method, path), r -> new ConcurrentLinkedQueue<>());
        for (Behavior behavior : behaviors) {
            queue.add(Objects.requireNonNull(behavior, "behavior"));
        }
        return this;
    }

    /**
     * Forgets all scripts, recordings and counters, for reusing one server across test methods.
     * Responses already in progress are not affected.
     */
    public void reset() {
        routes.clear();
        oneShots.clear();
        sseEventsWritten.set(0);
        sseBytesWritten.set(0);
        synchronized (monitor) {
            recorded.clear();
            clientDisconnects = 0;
        }
    }

    /** Every request received so far, in arrival order (an immutable snapshot). */
    public List<RecordedRequest> requests() {
        synchronized (monitor) {
            return List.copyOf(recorded);
        }
    }

    /** Requests received for {@code path} (query ignored), in arrival order. */
    public List<RecordedRequest> requests(String path) {
        synchronized (monitor) {
            return matching(path);
        }
    }

    /** The most recent request for {@code path}; fails the test if there was none. */
    public RecordedRequest lastRequest(String path) {
        List<RecordedRequest> forPath = requests(path);
        if (forPath.isEmpty()) {
            throw new AssertionError("no request for " + path + "; received: " + describe(requests()));
        }
        return forPath.get(forPath.size() - 1);
    }

    /** Number of requests received for {@code path}. */
    public int count(String path) {
        return requests(path).size();
    }

    /**
     * Waits until at least {@code n} requests for {@code path} have been received and returns them;
     * fails the test (AssertionError) after {@code timeout}. Useful when the request is made on
     * another thread, or to wait for a retry.
     */
    public List<RecordedRequest> awaitRequests(String path, int n, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (monitor) {
            while (true) {
                List<RecordedRequest> forPath = matching(path);
                if (forPath.size() >= n) {
                    return forPath;
                }
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    throw new AssertionError("expected "
                            + n
                            + " request(s) for "
                            + path
                            + " within "
                            + timeout
                            + " but got "
                            + forPath.size()
                            + "; received: "
                            + describe(recorded));
                }
                waitOnMonitor(remaining);
            }
        }
    }

    /** Responses currently streaming or parked: SSE (incl. stalled) and hung requests. */
    public int openStreams() {
        return openStreams.get();
    }

    /**
     * SSE events written so far by every {@link Behavior.Sse} response since start or the last
     * {@link #reset()}. An event counts once its write has returned: Jetty has handed its bytes to
     * the socket, so a client (or the kernel's buffers towards it) holds them. A writer blocked on
     * a full socket does not count the event it is writing, which makes this the upstream's
     * progress as a client that stops reading sees it.
     */
    public long sseEventsWritten() {
        return sseEventsWritten.get();
    }

    /** The bytes of the events counted by {@link #sseEventsWritten()} (UTF-8, without HTTP chunking). */
    public long sseBytesWritten() {
        return sseBytesWritten.get();
    }

    /**
     * How many times a client went away while its SSE stream was being written, was stalled, or its
     * request was hung. Detected from a failed write or from Jetty noticing the closed connection.
     */
    public int clientDisconnects() {
        synchronized (monitor) {
            return clientDisconnects;
        }
    }

    /** Waits until at least one client disconnect was observed; false on timeout. */
    public boolean awaitClientDisconnect(Duration timeout) {
        return awaitClientDisconnects(1, timeout);
    }

    /** Waits until at least {@code n} client disconnects were observed; false on timeout. */
    public boolean awaitClientDisconnects(int n, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (monitor) {
            while (clientDisconnects < n) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return false;
                }
                waitOnMonitor(remaining);
            }
            return true;
        }
    }

    /**
     * Stops the server. Requests still in flight (hung, delayed, stalled or mid-stream) are aborted
     * first so this returns promptly; their clients see the connection close. Idempotent.
     */
    @Override
    public void close() {
        closing.countDown();
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("could not stop FakeUpstream", e);
        }
    }

    private List<RecordedRequest> matching(String path) {
        return recorded.stream().filter(r -> r.path().equals(path)).collect(Collectors.toList());
    }

    private void waitOnMonitor(long nanos) {
        try {
            TimeUnit.NANOSECONDS.timedWait(monitor, nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting", e);
        }
    }

    private static String describe(List<RecordedRequest> requests) {
        return requests.stream()
                .map(r -> r.method() + " " + r.pathAndQuery())
                .collect(Collectors.joining(", ", "[", "]"));
    }

    private void record(RecordedRequest request) {
        synchronized (monitor) {
            recorded.add(request);
            monitor.notifyAll();
        }
    }

    private void countClientDisconnect() {
        if (closing.getCount() == 0) {
            // Failures caused by our own shutdown are not the client's doing.
            return;
        }
        synchronized (monitor) {
            clientDisconnects++;
            monitor.notifyAll();
        }
    }

    private Behavior behaviorFor(Route route) {
        Queue<Behavior> queue = oneShots.get(route);
        Behavior next = queue == null ? null : queue.poll();
        return next != null ? next : routes.get(route);
    }

    /**
     * Waits {@code duration} unless the server starts closing first.
     *
     * @return true if the caller should carry on, false if the server is closing
     */
    private boolean pause(Duration duration) {
        try {
            return !closing.await(duration.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Route key: upper-case method and exact path. */
    private record Route(String method, String path) {
        Route {
            method = method.toUpperCase(Locale.ROOT);
            Objects.requireNonNull(path, "path");
        }
    }

    /** Routes each request to its scripted behavior; runs on a Jetty pool thread that may block. */
    private final class Dispatcher extends Handler.Abstract {

        Dispatcher() {
            // BLOCKING: behaviors sleep and do blocking writes on the calling thread, by design.
            super(Invocable.InvocationType.BLOCKING);
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            Exchange exchange = new Exchange(request, response, callback, openStreams);
            try {
                // Read the whole body before anything else so the recording is complete even for
                // behaviors that never answer.
                String body = Content.Source.asString(request, UTF_8);
                HttpURI uri = request.getHttpURI();
                record(new RecordedRequest(
                        request.getMethod(), uri.getPath(), uri.getQuery(), headersOf(request), body, Instant.now()));
                Behavior behavior = behaviorFor(new Route(request.getMethod(), uri.getPath()));
                if (behavior == null) {
                    // Shaped like OpenAI's own answer to an unknown URL, so a forgotten script looks like
                    // a realistic upstream error instead of breaking the client in some unrelated way.
                    String error = OpenAiWire.error(
                            "Unknown path " + request.getMethod() + " " + uri.getPath(),
                            "invalid_request_error",
                            null,
                            "unknown_url");
                    respond(
                            exchange,
                            new Behavior.Respond(404, error, Map.of("Content-Type", Behavior.APPLICATION_JSON)));
                } else {
                    run(exchange, behavior);
                }
            } catch (Throwable t) {
                exchange.abort(t);
            } finally {
                // Every path ends via succeed() or abort(); this only guards against a missed one.
                exchange.endStream();
            }
            // Always handled: every path above completes (or aborts) the callback exactly once.
            return true;
        }

        private Map<String, List<String>> headersOf(Request request) {
            Map<String, List<String>> headers = new LinkedHashMap<>();
            for (HttpField field : request.getHeaders()) {
                headers.computeIfAbsent(field.getLowerCaseName(), n -> new ArrayList<>())
                        .add(field.getValue());
            }
            return headers;
        }

        private void run(Exchange exchange, Behavior behavior) {
            if (behavior instanceof Behavior.Respond respond) {
                respond(exchange, respond);
            } else if (behavior instanceof Behavior.Sse sse) {
                stream(exchange, sse);
            } else if (behavior instanceof Behavior.Delay delay) {
                if (pause(delay.delay())) {
                    run(exchange, delay.then());
                } else {
                    exchange.abort(new IOException("FakeUpstream closed during delay"));
                }
            } else if (behavior instanceof Behavior.Hang) {
                exchange.openStream();
                park(exchange, "hang");
            } else if (behavior instanceof Behavior.CloseConnection) {
                exchange.abort(new IOException("FakeUpstream closeConnection"));
            } else {
                throw new IllegalStateException("unhandled behavior " + behavior);
            }
        }

        private void respond(Exchange exchange, Behavior.Respond respond) {
            Response response = exchange.response();
            response.setStatus(respond.status());
            respond.headers().forEach((name, value) -> response.getHeaders().put(name, value));
            // Single last write: Jetty sends it with a Content-Length and completes the callback.
            Content.Sink.write(response, true, respond.body(), exchange.callback());
        }

        private void stream(Exchange exchange, Behavior.Sse sse) {
            exchange.openStream();
            Response response = exchange.response();
            response.setStatus(200);
            response.getHeaders().put("Content-Type", Behavior.TEXT_EVENT_STREAM);
            response.getHeaders().put("Cache-Control", "no-cache");
            for (int i = 0; i < sse.sendCount(); i++) {
                if (i > 0 && !pause(sse.gap())) {
                    exchange.abort(new IOException("FakeUpstream closed mid-stream"));
                    return;
                }
                try {
                    // Blocking, non-last write: Jetty writes this chunk to the socket before returning,
                    // so each event reaches the client on its own (nothing buffers the whole stream).
                    byte[] event = sse.events().get(i).getBytes(UTF_8);
                    Content.Sink.write(response, false, ByteBuffer.wrap(event));
                    sseBytesWritten.addAndGet(event.length);
                    sseEventsWritten.incrementAndGet();
                } catch (IOException e) {
                    countClientDisconnect();
                    exchange.abort(e);
                    return;
                }
            }
            switch (sse.ending()) {
                case COMPLETE:
                    exchange.succeed();
                    break;
                case CUT:
                    // Give the client time to consume the last event, so the test sees k events and then
                    // the failure rather than a race between them.
                    pause(sse.gap());
                    exchange.abort(new IOException("FakeUpstream sseThenCut"));
                    break;
                case STALL:
                    park(exchange, "sseThenStall");
                    break;
                default:
                    throw new IllegalStateException("unhandled ending " + sse.ending());
            }
        }

        /**
         * Keeps the response open without sending anything until the client goes away or the server
         * closes. Polls rather than blocks so both exits are noticed within WATCH_INTERVAL_MILLIS.
         */
        private void park(Exchange exchange, String what) {
            exchange.watchForClientClose();
            while (pause(Duration.ofMillis(WATCH_INTERVAL_MILLIS))) {
                if (exchange.clientGone()) {
                    countClientDisconnect();
                    exchange.abort(new IOException("client disconnected during " + what));
                    return;
                }
            }
            exchange.abort(new IOException("FakeUpstream closed during " + what));
        }
    }

    /** One request/response pair plus the bookkeeping to end it abruptly. */
    private static final class Exchange {
        private final Request request;
        private final Response response;
        private final Callback callback;
        private final AtomicInteger openStreams;
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private boolean streamOpen;

        Exchange(Request request, Response response, Callback callback, AtomicInteger openStreams) {
            this.request = request;
            this.response = response;
            this.callback = callback;
            this.openStreams = openStreams;
            // Jetty reports connection-level failures (e.g. the client closing its socket) here.
            request.addFailureListener(t -> failure.compareAndSet(null, t));
        }

        Response response() {
            return response;
        }

        Callback callback() {
            return callback;
        }

        /** Counts this exchange in {@link FakeUpstream#openStreams()} until it ends. */
        void openStream() {
            if (!streamOpen) {
                streamOpen = true;
                openStreams.incrementAndGet();
            }
        }

        /** Completes the response normally (terminating chunk for a stream). */
        void succeed() {
            endStream();
            callback.succeeded();
        }

        boolean clientGone() {
            EndPoint endPoint = endPoint();
            return failure.get() != null || !endPoint.isOpen() || endPoint.isInputShutdown();
        }

        /**
         * Makes a silent response notice its client closing the socket. Jetty does not read from an
         * HTTP/1.1 connection while a request is being handled (the body was read already), so a
         * client's FIN would go unnoticed until the next write; sending keep-alive comments instead
         * would defeat the very idle timeouts a stall is meant to test. So we ask to be told when the
         * socket becomes readable: for an idle HTTP/1.1 client that can only be end-of-stream (or a
         * reset), which {@link #clientGone()} then sees as input shutdown.
         *
         * <p>Reading behind Jetty's back is safe only because a parked exchange always ends in
         * {@link #abort}: the connection is never handed back to Jetty for another request.
         */
        void watchForClientClose() {
            EndPoint endPoint = endPoint();
            // tryFillInterested: if Jetty itself is already reading, it will notice the close itself.
            endPoint.tryFillInterested(new Callback() {
                @Override
                public void succeeded() {
                    try {
                        int read = endPoint.fill(BufferUtil.allocate(256));
                        if (read >= 0 && endPoint.isOpen()) {
                            // Not end-of-stream (a spurious wake-up, or a pipelined request we never
                            // answer anyway): keep watching.
                            endPoint.tryFillInterested(this);
                        }
                    } catch (IOException e) {
                        // A reset connection is a departed client too.
                        failure.compareAndSet(null, e);
                    }
                }

                @Override
                public void failed(Throwable cause) {
                    // The endpoint was closed, by our own abort() or server shutdown: nothing to do.
                }
            });
        }

        /**
         * Ends the exchange at the TCP level: closing the endpoint first guarantees no response bytes
         * (or terminating chunk) follow, which failing the callback alone would not promise for an
         * uncommitted response (Jetty would try to write a 500).
         */
        void abort(Throwable cause) {
            endStream();
            endPoint().close(cause);
            callback.failed(cause);
        }

        // Uncounted *before* the response ends, so a client that has seen the end of its response
        // never observes the stream as still open. Only the handling thread calls this.
        private void endStream() {
            if (streamOpen) {
                streamOpen = false;
                openStreams.decrementAndGet();
            }
        }

        private EndPoint endPoint() {
            return request.getConnectionMetaData().getConnection().getEndPoint();
        }
    }
}
