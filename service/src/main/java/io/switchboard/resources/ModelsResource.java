package io.switchboard.resources;

import io.switchboard.api.ListResponse;
import io.switchboard.api.Model;
import io.switchboard.routing.ModelRouter;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** {@code GET /v1/models} and {@code GET /v1/models/{id}}, where ids contain slashes. */
@Path("/v1/models")
@Produces(MediaType.APPLICATION_JSON)
public final class ModelsResource {

    private final ModelRouter router;

    public ModelsResource(ModelRouter router) {
        this.router = router;
    }

    @GET
    public ListResponse<Model> list() {
        return ListResponse.of(router.models());
    }

    @GET
    @Path("/{id: .+}")
    public Model get(@PathParam("id") String id) {
        return router.model(id).orElseThrow(() -> router.notFound(id));
    }
}
