package io.switchboard.resources;

import io.switchboard.api.CompletionRequest;
import io.switchboard.api.CompletionResponse;
import io.switchboard.provider.Capability;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;

import java.io.InputStream;

/** {@code POST /v1/completions}, the legacy text completions, streamed or not. */
@Path("/v1/completions")
public final class CompletionsResource {

    private final ApiServices services;

    public CompletionsResource(ApiServices services) {
        this.services = services;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces({MediaType.APPLICATION_JSON, MediaType.SERVER_SENT_EVENTS})
    public void create(InputStream body, @Context HttpServletRequest http, @Suspended AsyncResponse async) {
        var context = RequestContext.of(http);
        CompletionRequest request = services.reader().read(body, CompletionRequest.class);
        RequestChecks.completion(request);
        var route = services.router().resolve(request.model(), Capability.COMPLETIONS);
        String model = route.requestedModel();
        if (request.isStream()) {
            var relay = new SseRelay<CompletionResponse>(async, chunk -> chunk.withModel(model), context, services,
                    "completions_stream");
            relay.attach(services.executor().stream(route,
                    (target, observer) -> target.provider().provider()
                            .streamCompletions(request.withModel(target.upstreamModel()), observer),
                    relay));
        } else {
            AsyncResponses.resume(async, services.executor().call(route, target -> target.provider().provider()
                    .completions(request.withModel(target.upstreamModel()))), (CompletionResponse response) ->
                    response.withModel(model), context, services, "completions");
        }
    }
}
