package io.switchboard.resources;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.provider.StreamHandle;
import io.switchboard.routing.RouteStreamObserver;
import io.switchboard.routing.Served;
import jakarta.ws.rs.container.AsyncResponse;

import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * How an API resource answers a routed call: as one JSON body when the call completes, or as a
 * server-sent event stream from its commit point on. Holds what both need (the mapper, the
 * overhead listener, the heartbeat timer), so that a resource is left with reading, checking and
 * calling.
 */
public final class Responder {

    private final ObjectMapper mapper;
    private final OverheadListener overhead;
    private final Heartbeats heartbeats;

    public Responder(ObjectMapper mapper, OverheadListener overhead, Heartbeats heartbeats) {
        this.mapper = mapper;
        this.overhead = overhead;
        this.heartbeats = heartbeats;
    }

    /** Resumes {@code async} with the call's value, serialised, or its failure. */
    public <T> void json(
            AsyncResponse async, RequestContext context, String operation, CompletableFuture<Served<T>> call) {
        AsyncResponses.resume(async, call, context, this, operation);
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
        stream(async, context, operation, EventStreamFormat.dataOnly(), start);
    }

    /** As {@link #stream(AsyncResponse, RequestContext, String, Function)}, framed by {@code format}. */
    public <T> void stream(
            AsyncResponse async,
            RequestContext context,
            String operation,
            EventStreamFormat<T> format,
            Function<RouteStreamObserver<T>, StreamHandle> start) {
        var relay = new SseRelay<T>(async, context, this, operation, format);
        relay.attach(start.apply(relay));
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
