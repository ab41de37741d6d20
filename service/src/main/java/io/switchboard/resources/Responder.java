package io.switchboard.resources;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.provider.StreamHandle;
import io.switchboard.routing.RouteStreamObserver;
import io.switchboard.routing.Served;
import jakarta.ws.rs.container.AsyncResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * How an API resource answers a routed call: as one JSON body when the call completes, or as a
 * server-sent event stream from its commit point on. Holds what both need (the mapper, the
 * overhead listener, the heartbeat timer), so that a resource is left with reading, checking and
 * calling.
 */
public final class Responder {

    private static final Logger LOG = LoggerFactory.getLogger(Responder.class);

    private final ObjectMapper mapper;
    private final OverheadListener overhead;
    private final Heartbeats heartbeats;
    private final ClientWatch clients;

    public Responder(ObjectMapper mapper, OverheadListener overhead, Heartbeats heartbeats, ClientWatch clients) {
        this.mapper = mapper;
        this.overhead = overhead;
        this.heartbeats = heartbeats;
        this.clients = clients;
    }

    /**
     * Resumes {@code async} with the call's value, serialised, or its failure. A client that leaves
     * before then cancels the call, which aborts the upstream attempt in flight.
     */
    public <T> void json(
            AsyncResponse async, RequestContext context, String operation, CompletableFuture<Served<T>> call) {
        var watch = clients.watch(context.request(), () -> {
            LOG.info("Request {}: the client left before its answer; aborting the upstream call", context.id());
            call.cancel(false);
        });
        AsyncResponses.resume(async, call, context, this, operation, watch);
    }

    /**
     * Relays a stream to {@code async}: {@code start} is given the observer to stream into and
     * returns the handle that stops the upstream when the client leaves.
     */
    public <T> void stream(
            AsyncResponse async,
            RequestContext context,
            String operation,
            Function<RouteStreamObserver<T>, StreamHandle> start) {
        stream(async, context, operation, null, start);
    }

    /**
     * As {@link #stream(AsyncResponse, RequestContext, String, Function)}, written with
     * {@code framing} (null: OpenAI's data-only chunks and {@code [DONE]}).
     */
    public <T> void stream(
            AsyncResponse async,
            RequestContext context,
            String operation,
            SseFraming<T> framing,
            Function<RouteStreamObserver<T>, StreamHandle> start) {
        var relay = new SseRelay<T>(async, context, this, operation, framing);
        var watch = clients.watch(context.request(), relay::leftBeforeCommit);
        relay.watch(watch);
        try {
            relay.attach(start.apply(relay));
        } catch (RuntimeException refused) {
            // Refused before routing (a spent budget, a limit): the connection goes back to Jetty
            // for the client's next request, so nothing may be left reading it.
            watch.stop();
            throw refused;
        }
    }

    ObjectMapper mapper() {
        return mapper;
    }

    OverheadListener overhead() {
        return overhead;
    }

    Heartbeats heartbeats() {
        return heartbeats;
    }
}
