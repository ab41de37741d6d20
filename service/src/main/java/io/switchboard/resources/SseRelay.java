package io.switchboard.resources;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.switchboard.provider.ProviderException;
import io.switchboard.provider.StreamHandle;
import io.switchboard.routing.RouteStreamObserver;
import io.switchboard.routing.Target;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.glassfish.jersey.media.sse.EventOutput;
import org.glassfish.jersey.media.sse.OutboundEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ScheduledFuture;

/**
 * Relays a routed stream to the client as server-sent events, framed by Jersey's SSE support.
 *
 * <p>The response is not started until the first chunk arrives (the commit point): a failure
 * before it becomes an ordinary HTTP error. After it, a failure becomes one
 * {@code data: {"error":{...}}} event, then {@code data: [DONE]}, then a clean close. Each chunk
 * is flushed as it is written, never buffered.
 */
final class SseRelay<T> implements RouteStreamObserver<T> {

    private static final Logger LOG = LoggerFactory.getLogger(SseRelay.class);
    private static final OutboundEvent DONE = new OutboundEvent.Builder()
            .mediaType(MediaType.TEXT_PLAIN_TYPE)
            .data(String.class, "[DONE]")
            .build();
    private static final OutboundEvent KEEP_ALIVE =
            new OutboundEvent.Builder().comment("keep-alive").build();

    private final AsyncResponse async;
    private final RequestContext context;
    private final Responder services;
    private final String operation;
    private final EventStreamFormat<T> format;
    private volatile EventOutput output;
    private volatile StreamHandle upstream;
    private volatile boolean clientGone;
    /** Held while a heartbeat is written, and to mark the end: no keep-alive may follow {@code [DONE]}. */
    private final Object endLock = new Object();

    private boolean ending;
    private ScheduledFuture<?> heartbeat;

    SseRelay(
            AsyncResponse async,
            RequestContext context,
            Responder services,
            String operation,
            EventStreamFormat<T> format) {
        this.format = format;
        this.async = async;
        this.context = context;
        this.services = services;
        this.operation = operation;
    }

    @Override
    public void onCommit(Target target, long upstreamNanos, int attempts) {
        output = new EventOutput();
        var response = Response.ok(output, "text/event-stream")
                .header("Cache-Control", "no-cache")
                .header("X-Accel-Buffering", "no");
        long overhead = context.elapsedNanos() - upstreamNanos;
        services.overhead().record(operation, overhead);
        context.servedBy(response, target, true, attempts, overhead);
        async.resume(response.build());
        heartbeat = services.heartbeats().start(this::beat);
    }

    /** Routing's handle on the upstream, so a heartbeat that finds the client gone can stop it. */
    void attach(StreamHandle handle) {
        upstream = handle;
        if (clientGone) {
            handle.cancel();
        }
    }

    private void beat() {
        EventOutput out = output;
        if (out == null || out.isClosed()) {
            stopHeartbeat();
            return;
        }
        try {
            synchronized (endLock) {
                if (ending) {
                    return;
                }
                out.write(KEEP_ALIVE);
            }
        } catch (IOException | RuntimeException gone) {
            LOG.debug("Request {}: the client left a quiet stream; aborting the upstream", context.id());
            clientGone = true;
            stopHeartbeat();
            StreamHandle handle = upstream;
            if (handle != null) {
                handle.cancel();
            }
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
        write(format.eventName().apply(chunk), json(chunk));
    }

    @Override
    public void onComplete() {
        finish(null); // routing commits even an empty stream first, so the response has begun
    }

    @Override
    public void onError(ProviderException error) {
        if (output == null) {
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
        finish(json(ErrorResponses.body(error)));
    }

    private void finish(String errorEvent) {
        synchronized (endLock) {
            ending = true; // a heartbeat being written finishes first; none starts after
        }
        stopHeartbeat();
        try {
            if (errorEvent != null) {
                write(null, errorEvent);
            }
            if (format.endsWithDone()) {
                output.write(DONE);
            }
        } catch (IOException | UncheckedIOException clientGone) {
            LOG.debug("Client left before the end of the stream", clientGone);
        } finally {
            close();
        }
    }

    private void write(String name, String data) {
        try {
            var event = new OutboundEvent.Builder().mediaType(MediaType.TEXT_PLAIN_TYPE);
            if (name != null) {
                event.name(name);
            }
            output.write(event.data(String.class, data).build());
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("The client closed the stream", e);
        }
    }

    private void close() {
        stopHeartbeat();
        try {
            output.close();
        } catch (IOException e) {
            LOG.debug("Closing a stream whose client already left", e);
        }
    }

    private String json(Object value) {
        try {
            return services.mapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A wire record could not be serialised", e);
        }
    }
}
