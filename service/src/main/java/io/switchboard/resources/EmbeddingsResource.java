package io.switchboard.resources;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.switchboard.api.EmbeddingRequest;
import io.switchboard.api.EmbeddingResponse;
import io.switchboard.routing.RoutedCalls;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;

import java.io.InputStream;

/** {@code POST /v1/embeddings}. */
@Tag(name = "Embeddings")
@Path(EmbeddingsResource.PATH)
public final class EmbeddingsResource {

    static final String PATH = "/v1/embeddings";

    private final ApiRequestReader reader;
    private final RoutedCalls calls;
    private final Responder responder;

    public EmbeddingsResource(ApiRequestReader reader, RoutedCalls calls, Responder responder) {
        this.reader = reader;
        this.calls = calls;
        this.responder = responder;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "createEmbedding", summary = "Create embeddings")
    @RequestBody(required = true, content = @Content(schema = @Schema(implementation = EmbeddingRequest.class)))
    @ApiResponse(
            responseCode = "200",
            description = "One embedding per input",
            content = @Content(schema = @Schema(implementation = EmbeddingResponse.class)))
    @ApiErrors({400, 404, 413, 415, 429, 502, 503, 504})
    public void create(
            @Parameter(hidden = true) InputStream body,
            @Context HttpServletRequest http,
            @Context SecurityContext security,
            @Suspended AsyncResponse async) {
        var context = RequestContext.of(http);
        var caller = context.caller(security, PATH);
        EmbeddingRequest request = reader.read(body, EmbeddingRequest.class);
        RequestChecks.embedding(request);
        responder.json(async, context, "embeddings", calls.embeddings(caller, request));
    }
}
