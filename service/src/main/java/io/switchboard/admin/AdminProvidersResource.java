package io.switchboard.admin;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.switchboard.api.ListResponse;
import io.switchboard.api.ProviderView;
import io.switchboard.registry.ProviderRegistry;
import io.switchboard.resources.ProvidersResource;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** {@code GET /api/providers} on the admin port: what {@code GET /v1/providers} shows, for the page. */
@Tag(name = "Admin")
@Path("/providers")
@Produces(MediaType.APPLICATION_JSON)
public final class AdminProvidersResource {

    private final ProviderRegistry registry;

    public AdminProvidersResource(ProviderRegistry registry) {
        this.registry = registry;
    }

    @GET
    @Operation(operationId = "adminListProviders", summary = "List providers (admin port)")
    @ApiResponse(responseCode = "200", description = "Every provider with its status and models")
    public ListResponse<ProviderView> list() {
        return ProvidersResource.list(registry);
    }
}
