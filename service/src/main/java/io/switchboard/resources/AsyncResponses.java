package io.switchboard.resources;

import io.switchboard.provider.ProviderException;
import io.switchboard.routing.Served;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/** Resumes a suspended request when its upstream call completes, one way or the other. */
final class AsyncResponses {

    private AsyncResponses() {
    }

    static <T> void resume(AsyncResponse async, CompletableFuture<Served<T>> call, Function<T, Object> body) {
        call.whenComplete((served, failure) -> {
            if (failure != null) {
                async.resume(ProviderException.from(failure, null));
            } else {
                async.resume(Response.ok(body.apply(served.value()), MediaType.APPLICATION_JSON_TYPE).build());
            }
        });
    }
}
