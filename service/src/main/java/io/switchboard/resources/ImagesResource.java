package io.switchboard.resources;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.switchboard.api.ImageRequest;
import io.switchboard.api.ImageResponse;
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

/**
 * {@code POST /v1/images/generations}. OpenAI makes {@code model} optional here (it defaults to
 * dall-e-2); a gateway has no single default image model, so it asks for one.
 */
@Tag(name = "Images")
@Path(ImagesResource.PATH)
public final class ImagesResource {

    static final String PATH = "/v1/images/generations";

    private final ApiRequestReader reader;
    private final RoutedCalls calls;
    private final Responder responder;

    public ImagesResource(ApiRequestReader reader, RoutedCalls calls, Responder responder) {
        this.reader = reader;
        this.calls = calls;
        this.responder = responder;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(
            operationId = "createImage",
            summary = "Generate images",
            description = "Unlike OpenAI's, `model` is required: a gateway has no single default image model.")
    @RequestBody(required = true, content = @Content(schema = @Schema(implementation = ImageRequest.class)))
    @ApiResponse(
            responseCode = "200",
            description = "The images, as URLs or base64",
            content = @Content(schema = @Schema(implementation = ImageResponse.class)))
    @ApiErrors({400, 404, 413, 415, 429, 502, 503, 504})
    public void create(
            @Parameter(hidden = true) InputStream body,
            @Context HttpServletRequest http,
            @Context SecurityContext security,
            @Suspended AsyncResponse async) {
        var context = RequestContext.of(http);
        var caller = context.caller(security, PATH);
        ImageRequest request = reader.read(body, ImageRequest.class);
        RequestChecks.image(request);
        responder.json(async, context, "images", calls.images(caller, request));
    }
}
