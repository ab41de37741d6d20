package io.switchboard.resources;

import io.switchboard.api.EmbeddingRequest;
import io.switchboard.api.EmbeddingResponse;
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

/** {@code POST /v1/embeddings}. */
@Path("/v1/embeddings")
public final class EmbeddingsResource {

    private final ApiRequestReader reader;
    private final ModelRouter router;
    private final RouteExecutor executor;

    public EmbeddingsResource(ApiRequestReader reader, ModelRouter router, RouteExecutor executor) {
        this.reader = reader;
        this.router = router;
        this.executor = executor;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public void create(InputStream body, @Suspended AsyncResponse async) {
        EmbeddingRequest request = reader.read(body, EmbeddingRequest.class);
        RequestChecks.embedding(request);
        var route = router.resolve(request.model(), Capability.EMBEDDINGS);
        AsyncResponses.resume(async, executor.call(route, target -> target.provider().provider()
                        .embeddings(request.withModel(target.upstreamModel()))),
                (EmbeddingResponse response) -> response.withModel(route.requestedModel()));
    }
}
