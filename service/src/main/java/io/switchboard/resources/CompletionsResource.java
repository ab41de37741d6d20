package io.switchboard.resources;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.api.CompletionRequest;
import io.switchboard.api.CompletionResponse;
import io.switchboard.provider.Capability;
import io.switchboard.routing.ModelRouter;
import io.switchboard.routing.RouteExecutor;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.MediaType;

import java.io.InputStream;

/** {@code POST /v1/completions}, the legacy text completions, streamed or not. */
@Path("/v1/completions")
public final class CompletionsResource {

    private final ApiRequestReader reader;
    private final ModelRouter router;
    private final RouteExecutor executor;
    private final ObjectMapper mapper;

    public CompletionsResource(ApiRequestReader reader, ModelRouter router, RouteExecutor executor,
                               ObjectMapper mapper) {
        this.reader = reader;
        this.router = router;
        this.executor = executor;
        this.mapper = mapper;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces({MediaType.APPLICATION_JSON, MediaType.SERVER_SENT_EVENTS})
    public void create(InputStream body, @Suspended AsyncResponse async) {
        CompletionRequest request = reader.read(body, CompletionRequest.class);
        RequestChecks.completion(request);
        var route = router.resolve(request.model(), Capability.COMPLETIONS);
        String model = route.requestedModel();
        if (request.isStream()) {
            executor.stream(route,
                    (target, observer) -> target.provider().provider()
                            .streamCompletions(request.withModel(target.upstreamModel()), observer),
                    new SseRelay<CompletionResponse>(async, mapper, chunk -> chunk.withModel(model)));
        } else {
            AsyncResponses.resume(async, executor.call(route, target -> target.provider().provider()
                    .completions(request.withModel(target.upstreamModel()))), (CompletionResponse response) ->
                    response.withModel(model));
        }
    }
}
