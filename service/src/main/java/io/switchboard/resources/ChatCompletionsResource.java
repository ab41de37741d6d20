package io.switchboard.resources;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.switchboard.api.ChatCompletionChunk;
import io.switchboard.api.ChatCompletionRequest;
import io.switchboard.api.ChatCompletionResponse;
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

/** {@code POST /v1/chat/completions}: JSON, or server-sent events when {@code stream} is true. */
@Tag(name = "Chat")
@Path(ChatCompletionsResource.PATH)
public final class ChatCompletionsResource {

    static final String PATH = "/v1/chat/completions";

    private final ApiRequestReader reader;
    private final RoutedCalls calls;
    private final Responder responder;

    public ChatCompletionsResource(ApiRequestReader reader, RoutedCalls calls, Responder responder) {
        this.reader = reader;
        this.calls = calls;
        this.responder = responder;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces({MediaType.APPLICATION_JSON, MediaType.SERVER_SENT_EVENTS})
    @Operation(
            operationId = "createChatCompletion",
            summary = "Create a chat completion",
            description = "With `\"stream\": true`, a `text/event-stream` of `data: {chunk}` events ending with"
                    + " `data: [DONE]`.")
    @RequestBody(required = true, content = @Content(schema = @Schema(implementation = ChatCompletionRequest.class)))
    @ApiResponse(
            responseCode = "200",
            description = "The completion, or its chunks as server-sent events",
            content = {
                @Content(
                        mediaType = MediaType.APPLICATION_JSON,
                        schema = @Schema(implementation = ChatCompletionResponse.class)),
                @Content(
                        mediaType = MediaType.SERVER_SENT_EVENTS,
                        schema = @Schema(implementation = ChatCompletionChunk.class))
            })
    @ApiErrors({400, 404, 413, 415, 429, 502, 503, 504})
    public void create(
            @Parameter(hidden = true) InputStream body,
            @Context HttpServletRequest http,
            @Context SecurityContext security,
            @Suspended AsyncResponse async) {
        var context = RequestContext.of(http);
        var caller = context.caller(security, PATH);
        ChatCompletionRequest request = reader.read(body, ChatCompletionRequest.class);
        RequestChecks.chat(request);
        if (request.isStream()) {
            responder.<ChatCompletionChunk>stream(
                    async, context, "chat_stream", observer -> calls.streamChat(caller, request, observer));
        } else {
            responder.json(async, context, "chat", calls.chat(caller, request));
        }
    }
}
