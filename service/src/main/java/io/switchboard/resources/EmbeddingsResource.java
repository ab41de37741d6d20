package io.switchboard.resources;

import io.switchboard.api.EmbeddingRequest;
import io.switchboard.api.EmbeddingResponse;
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

/** {@code POST /v1/embeddings}. */
@Path("/v1/embeddings")
public final class EmbeddingsResource {

    private final ApiServices services;

    public EmbeddingsResource(ApiServices services) {
        this.services = services;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public void create(InputStream body, @Context HttpServletRequest http, @Suspended AsyncResponse async) {
        var context = RequestContext.of(http);
        EmbeddingRequest request = services.reader().read(body, EmbeddingRequest.class);
        RequestChecks.embedding(request);
        var route = services.router().resolve(request.model(), Capability.EMBEDDINGS);
        AsyncResponses.resume(async, services.executor().call(route, target -> target.provider().provider()
                        .embeddings(request.withModel(target.upstreamModel()))),
                (EmbeddingResponse response) -> response.withModel(route.requestedModel()), context, services,
                "embeddings");
    }
}
