package io.switchboard.resources;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.switchboard.provider.ProviderException;
import io.switchboard.routing.Served;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.jetty.ee10.servlet.HttpOutput;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * Resumes a suspended request when its upstream call completes, one way or the other.
 *
 * <p>A successful answer is written to the servlet response itself and the request ended with
 * the servlet's {@code AsyncContext}, as a stream's is ({@link SseRelay}): Jersey's response
 * pipeline (the resume, its header conversion and buffering) was about a quarter of a JSON
 * request's CPU for a body already serialised here, with the headers already known. Failures,
 * and a client that left, go through Jersey: its exception mappers and response filters shape
 * them.
 */
final class AsyncResponses {

    /** The status the ledger and the access log give a request whose client left (nginx's). */
    static final int CLIENT_LEFT = 499;

    private static final Logger LOG = LoggerFactory.getLogger(AsyncResponses.class);

    private AsyncResponses() {}

    static <T> void resume(
            AsyncResponse async,
            CompletableFuture<Served<T>> call,
            RequestContext context,
            Responder services,
            String operation,
            ClientWatch.Watch watch) {
        call.whenComplete((served, failure) -> {
            watch.stop();
            if (call.isCancelled()) {
                // The client left (the watch cancelled the call): nobody reads this answer.
                context.failedAt(null, false);
                async.resume(Response.status(CLIENT_LEFT).build());
                return;
            }
            if (failure != null) {
                var error = ProviderException.from(failure, null);
                context.failedAt(error.provider(), false);
                context.resumeLogged(async, error);
                return;
            }
            // Serialised here rather than by Jersey's Jackson provider, which hashes the resource
            // method's annotations (the OpenAPI ones nest deep) on every write to find its cached
            // writer: that cost more than the serialisation itself (docs/performance.md).
            byte[] json;
            try {
                json = services.mapper().writeValueAsBytes(served.value());
            } catch (JsonProcessingException e) {
                async.resume(new IllegalStateException("A wire record could not be serialised", e));
                return;
            }
            long overhead = context.elapsedNanos() - served.upstreamNanos();
            services.overhead().record(operation, overhead);
            if (answerDirectly(context, json, served, overhead)) {
                return;
            }
            async.resume(context.servedBy(
                            Response.ok(json, MediaType.APPLICATION_JSON_TYPE),
                            served.target(),
                            false,
                            served.attempts(),
                            overhead)
                    .build());
        });
    }

    /**
     * Writes a 200 with its JSON body and the headers Jersey's path would send (content type and
     * length, who served it, those the request gathered: {@link ResponseHeadersFilter#addTo}),
     * then ends the request.
     *
     * @return false, having changed nothing, when the request is not asynchronous or its
     *     response has begun (Jersey answers then)
     */
    private static <T> boolean answerDirectly(RequestContext context, byte[] json, Served<T> served, long overhead) {
        HttpServletRequest request = context.request();
        if (request == null || !request.isAsyncStarted()) {
            return false;
        }
        AsyncContext async;
        try {
            async = request.getAsyncContext();
            if (!(async.getResponse() instanceof HttpServletResponse response) || response.isCommitted()) {
                return false;
            }
            response.setStatus(HttpServletResponse.SC_OK);
            response.setContentType(MediaType.APPLICATION_JSON);
            response.setContentLength(json.length);
            context.servedBy(served.target(), false, served.attempts(), overhead)
                    .forEach(response::setHeader);
            context.addGatheredHeaders(response);
            try {
                var out = response.getOutputStream();
                if (out instanceof HttpOutput jetty) {
                    // Jetty's own non-blocking send of the whole body: this may be the upstream
                    // client's I/O thread (JsonHttpTransport), which must not wait on a client's
                    // socket; and a client that stops reading holds no thread, only its request
                    // until the idle timeout fails the write.
                    jetty.sendContent(ByteBuffer.wrap(json), Callback.from(() -> complete(context, async), failure -> {
                        LOG.debug("Request {}: the client left while its answer was written", context.id(), failure);
                        complete(context, async);
                    }));
                    return true;
                }
                out.write(json);
            } catch (IOException clientGone) {
                LOG.debug("Request {}: the client left while its answer was written", context.id(), clientGone);
            }
        } catch (IllegalStateException ended) {
            // the request ended meanwhile (the server stopping, say): there is nothing to answer
            LOG.debug("Request {}: ended before its answer", context.id(), ended);
            return true;
        }
        complete(context, async);
        return true;
    }

    private static void complete(RequestContext context, AsyncContext async) {
        try {
            async.complete();
        } catch (IllegalStateException alreadyEnded) {
            LOG.debug("Request {}: already complete", context.id(), alreadyEnded);
        }
    }
}
