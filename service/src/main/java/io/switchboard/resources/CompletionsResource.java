package io.switchboard.resources;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.switchboard.api.CompletionRequest;
import io.switchboard.api.CompletionResponse;
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

/** {@code POST /v1/completions}, the legacy text completions, streamed or not. */
@Tag(name = "Completions")
@Path(CompletionsResource.PATH)
public final class CompletionsResource {

    static final String PATH = "/v1/completions";

    private final ApiRequestReader reader;
    private final RoutedCalls calls;
    private final Responder responder;

    public CompletionsResource(ApiRequestReader reader, RoutedCalls calls, Responder responder) {
        this.reader = reader;
        this.calls = calls;
        this.responder = responder;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces({MediaType.APPLICATION_JSON, MediaType.SERVER_SENT_EVENTS})
    @Operation(
            operationId = "createCompletion",
            summary = "Create a text completion (legacy)",
            description = "With `\"stream\": true`, a `text/event-stream` of `data: {chunk}` events ending with"
                    + " `data: [DONE]`.")
    @RequestBody(required = true, content = @Content(schema = @Schema(implementation = CompletionRequest.class)))
    @ApiResponse(
            responseCode = "200",
            description = "The completion, or its chunks as server-sent events",
            content = {
                @Content(
                        mediaType = MediaType.APPLICATION_JSON,
                        schema = @Schema(implementation = CompletionResponse.class)),
                @Content(
                        mediaType = MediaType.SERVER_SENT_EVENTS,
                        schema = @Schema(implementation = CompletionResponse.class))
            })
    @ApiErrors({400, 404, 413, 415, 429, 502, 503, 504})
    public void create(
            @Parameter(hidden = true) InputStream body,
            @Context HttpServletRequest http,
            @Context SecurityContext security,
            @Suspended AsyncResponse async) {
        var context = RequestContext.of(http);
        var caller = context.caller(security, PATH);
        CompletionRequest request = reader.read(body, CompletionRequest.class);
        RequestChecks.completion(request);
        if (request.isStream()) {
            responder.<CompletionResponse>stream(
                    async,
                    context,
                    "completions_stream",
                    observer -> calls.streamCompletions(caller, request, observer));
        } else {
            responder.json(async, context, "completions", calls.completions(caller, request));
        }
    }
}
