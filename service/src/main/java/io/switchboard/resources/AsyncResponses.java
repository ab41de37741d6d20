package io.switchboard.resources;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.switchboard.provider.ProviderException;
import io.switchboard.routing.Served;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.concurrent.CompletableFuture;

/** Resumes a suspended request when its upstream call completes, one way or the other. */
final class AsyncResponses {

    /** The status the ledger and the access log give a request whose client left (nginx's). */
    static final int CLIENT_LEFT = 499;

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
            async.resume(context.servedBy(
                            Response.ok(json, MediaType.APPLICATION_JSON_TYPE),
                            served.target(),
                            false,
                            served.attempts(),
                            overhead)
                    .build());
        });
    }
}
