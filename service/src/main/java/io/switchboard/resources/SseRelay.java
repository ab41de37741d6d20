package io.switchboard.resources;

import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.switchboard.provider.Burst;
import io.switchboard.provider.ProviderException;
import io.switchboard.provider.StreamHandle;
import io.switchboard.routing.RouteStreamObserver;
import io.switchboard.routing.Target;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.core.Response;
import org.glassfish.jersey.server.ChunkedOutput;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;

/**
 * Relays a routed stream to the client as server-sent events of ready-framed bytes, written to
 * the servlet response in its non-blocking mode.
 *
 * <p>The response is not started until the first chunk arrives (the commit point): a failure
 * before it becomes an ordinary HTTP error. After it, a failure becomes one
 * {@code data: {"error":{...}}} event, then {@code data: [DONE]}, then a clean close. Each chunk
 * is written and flushed as soon as the upstream read that brought it has been handled: chunks
 * that arrived in one read ({@link Burst}) leave in one write, none waits for a later one.
 *
 * <p>Why frames are written here and not by jersey-media-sse's {@code EventOutput}: that writer
 * costs a message-body-writer lookup, a request scope and a flush per event; an event of JSON
 * data is two short lines, and {@link SseFrames} writes them as the SSE specification says. With
 * that and the bursts, the relay's CPU per chunk fell from 21.5 to 6.0 µs (docs/performance.md).
 *
 * <p>Jersey handles the request (its filters, the resource, and every answer before the commit
 * point: a failure is resumed through Jersey as an ordinary error response). At the commit point
 * the relay writes the status and headers to the servlet response itself and ends the request
 * with the servlet's {@code AsyncContext}: a stream's success never goes through Jersey's
 * response pipeline, whose resume, header conversion and close cost about a seventh of a short
 * stream's CPU (docs/performance.md). The headers are those Jersey's path would send: the
 * content type, {@code Cache-Control} and {@code X-Accel-Buffering}, who served it, and what
 * {@link ResponseHeadersFilter} would add. Outside an asynchronous servlet request the relay
 * commits through a Jersey {@link ChunkedOutput} instead.
 */
final class SseRelay<T> implements RouteStreamObserver<T> {

    private static final Logger LOG = LoggerFactory.getLogger(SseRelay.class);
    private static final String EVENT_STREAM = "text/event-stream";
    private static final byte[] DONE =
            SseFrames.data(new ByteArrayBuilder(), "[DONE]").toByteArray();
    private static final byte[] KEEP_ALIVE =
            SseFrames.comment(new ByteArrayBuilder(), "keep-alive").toByteArray();

    private final AsyncResponse async;
    private final RequestContext context;
    private final Responder services;
    private final String operation;
    private final SseFraming<T> framing;
    private final byte[] keepAlive;
    /** Frames written by the upstream's thread and not yet handed to the output. */
    private final ByteArrayBuilder pending = new ByteArrayBuilder(1024);

    private boolean flushDeferred;
    /** Jersey's output, when the response was committed through Jersey; null otherwise. */
    private volatile ChunkedOutput<byte[]> output;
    /** The response has begun (the commit point has passed). */
    private volatile boolean committed;
    /** The output has been closed: nothing more is written, heartbeats stop. */
    private volatile boolean closed;

    private volatile StreamHandle upstream;
    private volatile boolean clientGone;
    private volatile ClientWatch.Watch watch = ClientWatch.NONE;
    /** The end is being written: no keep-alive may follow {@code [DONE]} (guarded by this relay's monitor). */
    private boolean ending;

    private ScheduledFuture<?> heartbeat;

    // The servlet output (all guarded by this relay's monitor).
    /**
     * The servlet stream in its non-blocking mode: from the commit point, or after the first
     * write when Jersey committed the response; null before.
     */
    private ServletOutputStream direct;
    /** A direct write or flush has not finished (isReady() said no): the next one waits. */
    private boolean unfinished;
    /** The unfinished operation was a write, so a flush is still owed. */
    private boolean flushOwed;
    /** Frames that came while a write was unfinished, in order. */
    private final ArrayDeque<byte[]> waiting = new ArrayDeque<>();
    /** The upstream read this relay paused while its client was slow; resumed when all is out. */
    private Burst.Resume paused;
    /** The stream ended while writes were unfinished: the output is closed when they are done. */
    private boolean closeWhenDone;
    /** The client's connection failed a write. */
    private boolean broken;

    SseRelay(AsyncResponse async, RequestContext context, Responder services, String operation) {
        this(async, context, services, operation, null);
    }

    /** @param framing how items and the end are written; null for OpenAI's data-only chunks */
    SseRelay(AsyncResponse async, RequestContext context, Responder services, String operation, SseFraming<T> framing) {
        this.async = async;
        this.context = context;
        this.services = services;
        this.operation = operation;
        this.framing = framing;
        SseFraming.Frame beat = framing == null ? null : framing.heartbeat();
        this.keepAlive = beat == null
                ? KEEP_ALIVE
                : SseFrames.event(new ByteArrayBuilder(), beat.name(), beat.data())
                        .toByteArray();
    }

    @Override
    public void onCommit(Target target, long upstreamNanos, int attempts) {
        watch.stop(); // from here on, writes (chunks, heartbeats) find a client that left
        long overhead = context.elapsedNanos() - upstreamNanos;
        services.overhead().record(operation, overhead);
        committed = true;
        if (!commitDirectly(target, attempts, overhead)) {
            output = new ChunkedOutput<>(byte[].class);
            var response = Response.ok(output, EVENT_STREAM)
                    .header("Cache-Control", "no-cache")
                    .header("X-Accel-Buffering", "no");
            context.servedBy(response, target, true, attempts, overhead);
            async.resume(response.build());
        }
        heartbeat = services.heartbeats().start(this::beat);
    }

    /**
     * Begins the response on the servlet response itself: status, headers, and the stream in
     * its non-blocking mode. Nothing is sent until the first frames are written.
     *
     * @return false, having changed nothing, when the request is not asynchronous (Jersey
     *     commits it then)
     */
    private boolean commitDirectly(Target target, int attempts, long overhead) {
        HttpServletRequest request = context.request();
        if (request == null || !request.isAsyncStarted()) {
            return false;
        }
        ServletOutputStream out;
        try {
            if (!(request.getAsyncContext().getResponse() instanceof HttpServletResponse response)
                    || response.isCommitted()) {
                return false;
            }
            response.setStatus(HttpServletResponse.SC_OK);
            response.setContentType(EVENT_STREAM);
            response.setHeader("Cache-Control", "no-cache");
            response.setHeader("X-Accel-Buffering", "no");
            context.servedBy(target, true, attempts, overhead).forEach(response::setHeader);
            context.addGatheredHeaders(response);
            out = response.getOutputStream();
            out.setWriteListener(new Writable());
        } catch (IOException | IllegalStateException e) {
            LOG.debug("Request {}: the stream is committed through Jersey", context.id(), e);
            return false;
        }
        synchronized (this) {
            direct = out;
        }
        Burst.writesWithoutBlocking();
        return true;
    }

    /** Watches for a client that leaves before the first chunk. */
    void watch(ClientWatch.Watch clientWatch) {
        watch = clientWatch;
    }

    /** The client left before the stream began: stop the upstream (routing has not committed yet). */
    void leftBeforeCommit() {
        LOG.info("Request {}: the client left before its stream began; aborting the upstream call", context.id());
        clientGone = true;
        StreamHandle handle = upstream;
        if (handle != null) {
            handle.cancel(); // routing abandons the call and tells nobody: the request is ended here
        }
        context.failedAt(null, true);
        async.resume(Response.status(AsyncResponses.CLIENT_LEFT).build());
    }

    /** Routing's handle on the upstream, so a heartbeat that finds the client gone can stop it. */
    void attach(StreamHandle handle) {
        upstream = handle;
        if (clientGone) {
            handle.cancel();
        }
    }

    private void beat() {
        if (!committed || closed) {
            stopHeartbeat();
            return;
        }
        try {
            synchronized (this) {
                if (ending || unfinished || broken) {
                    return; // ended, or bytes are on their way: the stream is not quiet
                }
                send(keepAlive);
            }
        } catch (IOException | RuntimeException gone) {
            LOG.debug("Request {}: the client left a quiet stream; aborting the upstream", context.id());
            leftMidStream();
            close(); // routing does not call back a stream its client left: end the request here
        }
    }

    /** A write found the client gone after the commit point: the call ends as the client's leaving. */
    private void leftMidStream() {
        clientGone = true;
        stopHeartbeat();
        StreamHandle handle = upstream;
        if (handle != null) {
            handle.cancel(); // routing ends the call as left by the client, then aborts the upstream
        }
    }

    private void stopHeartbeat() {
        ScheduledFuture<?> timer = heartbeat;
        if (timer != null) {
            timer.cancel(false);
        }
    }

    @Override
    public void onNext(T chunk) {
        if (framing == null) {
            SseFrames.json(pending, services.mapper(), chunk);
        } else {
            SseFraming.Frame frame = framing.frame(chunk);
            SseFrames.event(pending, frame.name(), frame.data());
        }
        if (!flushDeferred) {
            flushDeferred = true;
            Burst.defer(this::flushOrLeave);
        }
    }

    /**
     * The write at the end of an upstream read (or at once, outside one). A client found gone
     * here is told to routing through the upstream handle, as a heartbeat would: the exception
     * would otherwise surface in the transport, outside routing, as an upstream failure.
     */
    private void flushOrLeave() {
        try {
            flushPending();
        } catch (UncheckedIOException gone) {
            LOG.debug("Request {}: the client left mid-stream; aborting the upstream", context.id());
            leftMidStream();
        }
    }

    @Override
    public void onComplete() {
        finish(null); // routing commits even an empty stream first, so the response has begun
    }

    @Override
    public void onError(ProviderException error) {
        watch.stop();
        if (!committed) {
            context.failedAt(error.provider(), true);
            context.resumeLogged(async, error);
            return;
        }
        LOG.info(
                "Request {}: stream from {} failed after the first byte ({}): {}",
                context.id(),
                error.provider(),
                error.kind().label(),
                error.getMessage());
        finish(error);
    }

    private void finish(ProviderException error) {
        synchronized (this) {
            ending = true; // a heartbeat being written finishes first; none starts after
        }
        stopHeartbeat();
        try {
            if (framing != null) {
                for (SseFraming.Frame frame : framing.end(error)) {
                    SseFrames.event(pending, frame.name(), frame.data());
                }
            } else {
                if (error != null) {
                    SseFrames.json(pending, services.mapper(), ErrorResponses.body(error));
                }
                pending.write(DONE);
            }
            flushPending(); // with the chunks of this read, if any are still held
        } catch (UncheckedIOException clientGone) {
            LOG.debug("Client left before the end of the stream", clientGone);
        } finally {
            close();
        }
    }

    /** Hands what the current read brought to the output in one write (a no-op when nothing is held). */
    private void flushPending() {
        flushDeferred = false;
        if (pending.size() == 0) {
            return;
        }
        byte[] frames = pending.toByteArray();
        pending.reset();
        try {
            send(frames);
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("The client closed the stream", e);
        }
    }

    /**
     * Writes frames to the client, to the servlet stream in its non-blocking mode (when Jersey
     * committed the response, the first write goes through Jersey's output and the relay takes
     * the servlet stream after it): a write either finishes at once or is left to finish in
     * the background, and while one is unfinished later frames wait here and the upstream is
     * {@linkplain Burst#pause() paused}. So the thread that read the upstream never waits on a
     * client, and the transport may relay on its I/O thread ({@link Burst#writesWithoutBlocking}).
     */
    private synchronized void send(byte[] frames) throws IOException {
        if (broken) {
            throw new IOException("The client's connection failed");
        }
        if (direct == null) {
            output.write(frames);
            goDirect();
            return;
        }
        if (unfinished) {
            waiting.add(frames);
            pauseUpstream();
            return;
        }
        writeDirect(frames);
    }

    /** One direct write and its flush; called with nothing unfinished. */
    private void writeDirect(byte[] frames) throws IOException {
        direct.write(frames);
        if (!direct.isReady()) {
            unfinished = true;
            flushOwed = true;
            pauseUpstream();
            return;
        }
        direct.flush();
        if (!direct.isReady()) {
            unfinished = true;
            pauseUpstream();
        }
    }

    private void pauseUpstream() {
        if (paused == null) {
            paused = Burst.pause(); // null outside an upstream read: nothing to stop then
        }
    }

    /**
     * After the first write: takes the servlet stream into its non-blocking mode. Stays on
     * Jersey's output when the request is not asynchronous or the first frames are not out yet.
     */
    private void goDirect() {
        HttpServletRequest request = context.request();
        if (request == null || !request.isAsyncStarted()) {
            return;
        }
        try {
            ServletResponse response = request.getAsyncContext().getResponse();
            if (!response.isCommitted()) {
                return;
            }
            ServletOutputStream out = response.getOutputStream();
            out.setWriteListener(new Writable());
            direct = out;
            Burst.writesWithoutBlocking();
        } catch (IOException | IllegalStateException e) {
            LOG.debug("Request {}: the stream stays on Jersey's blocking output", context.id(), e);
        }
    }

    /** The servlet container's word on an unfinished direct write. */
    private final class Writable implements WriteListener {

        @Override
        public void onWritePossible() {
            Burst.Resume resume;
            boolean closeNow = false;
            synchronized (SseRelay.this) {
                if (!unfinished || broken) {
                    return; // the call that follows setWriteListener, or a write that failed
                }
                unfinished = false;
                try {
                    if (flushOwed) {
                        flushOwed = false;
                        direct.flush();
                        if (!direct.isReady()) {
                            unfinished = true;
                            return;
                        }
                    }
                    if (!waiting.isEmpty()) {
                        writeDirect(drainWaiting());
                        if (unfinished) {
                            return;
                        }
                    }
                } catch (IOException e) {
                    onError(e);
                    return;
                }
                if (closeWhenDone) {
                    closeWhenDone = false;
                    closeNow = true;
                }
                resume = paused;
                paused = null;
            }
            if (closeNow) {
                closeOutput();
            }
            if (resume != null) {
                resume.resume(); // may read and relay the next chunk on this thread
            }
        }

        @Override
        public void onError(Throwable failure) {
            synchronized (SseRelay.this) {
                broken = true;
                unfinished = false;
                waiting.clear();
                closeWhenDone = false;
            }
            LOG.debug("Request {}: a write to the client failed; aborting the upstream", context.id(), failure);
            leftMidStream();
            closeOutput(); // the request ends here: in this mode nothing else ends it
        }
    }

    private byte[] drainWaiting() {
        if (waiting.size() == 1) {
            return waiting.poll();
        }
        var all = new ByteArrayBuilder(1024);
        for (byte[] frames : waiting) {
            all.write(frames);
        }
        waiting.clear();
        return all.toByteArray();
    }

    private void close() {
        stopHeartbeat();
        synchronized (this) {
            if (unfinished && !broken) {
                closeWhenDone = true; // the last frames are still going out
                return;
            }
        }
        closeOutput();
    }

    private void closeOutput() {
        closed = true;
        ChunkedOutput<byte[]> jersey = output;
        if (jersey != null) {
            try {
                jersey.close();
            } catch (IOException | RuntimeException e) {
                LOG.debug("Closing a stream whose client already left", e);
            }
        }
        boolean wasDirect;
        synchronized (this) {
            wasDirect = direct != null;
        }
        if (wasDirect) {
            // Jersey never saw a response committed directly, and in the non-blocking mode a
            // failed write does not end the request by itself (nor does Jersey complete it when
            // its close fails): end it here (once).
            HttpServletRequest request = context.request();
            try {
                if (request.isAsyncStarted()) {
                    request.getAsyncContext().complete();
                }
            } catch (IllegalStateException alreadyEnded) {
                LOG.debug("Request {}: already complete", context.id(), alreadyEnded);
            }
        }
    }
}
