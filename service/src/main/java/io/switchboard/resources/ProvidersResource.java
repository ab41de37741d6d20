package io.switchboard.resources;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.switchboard.api.ListResponse;
import io.switchboard.api.ProviderView;
import io.switchboard.registry.ProviderRegistry;
import io.switchboard.registry.ProviderState;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** {@code GET /v1/providers}: every configured provider, its status and models; never a key. */
@Tag(name = "Providers")
@Path("/v1/providers")
@Produces(MediaType.APPLICATION_JSON)
public final class ProvidersResource {

    private final ProviderRegistry registry;

    public ProvidersResource(ProviderRegistry registry) {
        this.registry = registry;
    }

    @GET
    @Operation(
            operationId = "listProviders",
            summary = "List providers",
            description = "Every configured provider, enabled or not, with its status and models. Never shows a key.")
    @ApiResponse(responseCode = "200", description = "The providers")
    public ListResponse<ProviderView> list() {
        return list(registry);
    }

    /** Every provider as the API shows it. */
    public static ListResponse<ProviderView> list(ProviderRegistry registry) {
        return ListResponse.of(registry.snapshot().providers().stream()
                .map(ProvidersResource::view)
                .toList());
    }

    private static ProviderView view(ProviderState state) {
        var models = state.models().stream()
                .map(model -> state.name() + "/" + model.id())
                .sorted()
                .toList();
        return new ProviderView(
                state.name(),
                state.type(),
                state.baseUrl(),
                state.status().toString(),
                state.error(),
                models.size(),
                models,
                state.latency() != null ? state.latency().toMillis() : null,
                state.checkedAt() != null ? state.checkedAt().getEpochSecond() : null);
    }
}
