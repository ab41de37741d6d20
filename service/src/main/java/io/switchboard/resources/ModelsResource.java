package io.switchboard.resources;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.switchboard.api.ListResponse;
import io.switchboard.api.Model;
import io.switchboard.routing.ModelRouter;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** {@code GET /v1/models} and {@code GET /v1/models/{id}}, where ids contain slashes. */
@Tag(name = "Models")
@Path("/v1/models")
@Produces(MediaType.APPLICATION_JSON)
public final class ModelsResource {

    private final ModelRouter router;

    public ModelsResource(ModelRouter router) {
        this.router = router;
    }

    @GET
    @Operation(
            operationId = "listModels",
            summary = "List models",
            description = "Every model you can name: `provider/model` ids and aliases, sorted.")
    @ApiResponse(responseCode = "200", description = "The models")
    public ListResponse<Model> list() {
        return ListResponse.of(router.models());
    }

    @GET
    @Path("/{id: .+}")
    @Operation(operationId = "retrieveModel", summary = "Retrieve a model")
    @ApiResponse(responseCode = "200", description = "The model")
    @ApiErrors({400, 404})
    public Model get(
            @Parameter(description = "A model id; it may contain `/`, raw or as `%2F`") @PathParam("id") String id) {
        RequestChecks.modelId(id); // the rules the body's "model" gets: no '..' walking, no huge ids
        return router.model(id).orElseThrow(() -> router.notFound(id));
    }
}
