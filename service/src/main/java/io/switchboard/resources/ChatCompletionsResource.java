package io.switchboard.resources;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.api.ChatCompletionChunk;
import io.switchboard.api.ChatCompletionRequest;
import io.switchboard.api.ChatCompletionResponse;
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

/** {@code POST /v1/chat/completions}: JSON, or server-sent events when {@code stream} is true. */
@Path("/v1/chat/completions")
public final class ChatCompletionsResource {

    private final ApiRequestReader reader;
    private final ModelRouter router;
    private final RouteExecutor executor;
    private final ObjectMapper mapper;

    public ChatCompletionsResource(ApiRequestReader reader, ModelRouter router, RouteExecutor executor,
                                   ObjectMapper mapper) {
        this.reader = reader;
        this.router = router;
        this.executor = executor;
        this.mapper = mapper;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces({MediaType.APPLICATION_JSON, MediaType.SERVER_SENT_EVENTS})
    public void create(InputStream body, @Suspended AsyncResponse async) {
        ChatCompletionRequest request = reader.read(body, ChatCompletionRequest.class);
        RequestChecks.chat(request);
        var route = router.resolve(request.model(), Capability.CHAT);
        String model = route.requestedModel();
        if (request.isStream()) {
            executor.stream(route,
                    (target, observer) -> target.provider().provider()
                            .streamChat(request.withModel(target.upstreamModel()), observer),
                    new SseRelay<ChatCompletionChunk>(async, mapper, chunk -> chunk.withModel(model)));
        } else {
            AsyncResponses.resume(async, executor.call(route, target -> target.provider().provider()
                    .chat(request.withModel(target.upstreamModel()))), (ChatCompletionResponse response) ->
                    response.withModel(model));
        }
    }
}
