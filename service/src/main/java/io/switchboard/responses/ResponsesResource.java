package io.switchboard.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.switchboard.api.ApiException;
import io.switchboard.api.ChatCompletionRequest;
import io.switchboard.api.ChatMessage;
import io.switchboard.api.Printable;
import io.switchboard.provider.Capability;
import io.switchboard.provider.Provider;
import io.switchboard.provider.ProviderException;
import io.switchboard.provider.StreamHandle;
import io.switchboard.provider.StreamObserver;
import io.switchboard.resources.ApiErrors;
import io.switchboard.resources.ApiRequestReader;
import io.switchboard.resources.RequestContext;
import io.switchboard.resources.Responder;
import io.switchboard.resources.SseFraming;
import io.switchboard.routing.Caller;
import io.switchboard.routing.Route;
import io.switchboard.routing.RouteStreamObserver;
import io.switchboard.routing.RoutedCalls;
import io.switchboard.routing.Served;
import io.switchboard.routing.Target;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.InputStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * OpenAI's Responses API in front of every provider: {@code POST /v1/responses} (JSON, or
 * server-sent events with {@code "stream": true}), and the stored responses' {@code GET},
 * {@code DELETE} and {@code GET …/input_items}.
 *
 * <p>A call goes along the same route as chat ({@link RoutedCalls#resolve}, then its generic
 * {@code call}/{@code stream}: retries, fallbacks, breakers, commit point, accounts). Each target
 * decides for itself: a provider that {@linkplain Provider#speaksResponses() speaks the Responses
 * API} gets the client's body with only the model rewritten (and a previous response expanded
 * into its input); every other one gets it translated to a chat completion and the answer
 * translated back. The gateway keeps stored responses itself, for every provider, so
 * {@code previous_response_id} works across providers and fallbacks.
 */
@Tag(name = "Responses")
@Path(ResponsesResource.PATH)
public final class ResponsesResource {

    static final String PATH = "/v1/responses";

    private static final Logger LOG = LoggerFactory.getLogger(ResponsesResource.class);

    private final ApiRequestReader reader;
    private final RoutedCalls calls;
    private final Responder responder;
    private final StoredResponses stored;
    private final ObjectMapper mapper;
    private final Executor storing;
    private final Clock clock;
    private final SseFraming<ObjectNode> events;

    public ResponsesResource(
            ApiRequestReader reader,
            RoutedCalls calls,
            Responder responder,
            ResponseStore store,
            Executor storing,
            ObjectMapper mapper,
            Clock clock) {
        this.reader = reader;
        this.calls = calls;
        this.responder = responder;
        this.stored = new StoredResponses(store, mapper);
        this.mapper = mapper;
        this.storing = storing;
        this.clock = clock;
        this.events = new ResponseEventFraming(mapper);
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces({MediaType.APPLICATION_JSON, MediaType.SERVER_SENT_EVENTS})
    @Operation(
            operationId = "createResponse",
            summary = "Create a model response (OpenAI's Responses API)",
            description = "Passed through to providers that serve the Responses API, translated to chat completions"
                    + " for the others. With `\"stream\": true`, a `text/event-stream` of named events"
                    + " (`response.created` … `response.completed`), each with a `sequence_number`.")
    @ApiErrors({400, 404, 413, 415, 429, 502, 503, 504})
    public void create(
            @Parameter(hidden = true) InputStream body,
            @Context HttpServletRequest http,
            @Context SecurityContext security,
            @Suspended AsyncResponse async) {
        var context = RequestContext.of(http);
        var caller = context.caller(security, PATH);
        var request = ResponsesRequest.of(reader.read(body, ObjectNode.class));
        String previousId = request.previousResponseId();
        var input = StoredResponses.withIds(request.input());
        var conversation = new ArrayList<ObjectNode>();
        if (previousId != null) {
            conversation.addAll(stored.history(previousId, caller.keyId()));
        }
        conversation.addAll(input);
        var route = calls.resolve(request.model(), Capability.CHAT);
        var call = new Call(request, caller, route.requestedModel(), input, conversation);
        if (request.stream()) {
            responder.stream(async, context, "responses_stream", events, client -> call.stream(route, client));
        } else {
            responder.json(async, context, "responses", call.json(route));
        }
    }

    @GET
    @Path("/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "getResponse", summary = "Retrieve a stored response")
    @ApiErrors({404})
    public Response get(
            @PathParam("id") String id, @Context HttpServletRequest http, @Context SecurityContext security) {
        var keyId = RequestContext.of(http).caller(security, PATH).keyId();
        var response = stored.owned(id, keyId).orElseThrow(() -> StoredResponses.notFound(id));
        return Response.ok(response.response(), MediaType.APPLICATION_JSON_TYPE).build();
    }

    @DELETE
    @Path("/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "deleteResponse", summary = "Delete a stored response")
    @ApiErrors({404})
    public Response delete(
            @PathParam("id") String id, @Context HttpServletRequest http, @Context SecurityContext security) {
        var keyId = RequestContext.of(http).caller(security, PATH).keyId();
        if (!stored.delete(id, keyId)) {
            throw StoredResponses.notFound(id);
        }
        var deleted = mapper.createObjectNode()
                .put("id", id)
                .put("object", "response")
                .put("deleted", true);
        return Response.ok(deleted.toString(), MediaType.APPLICATION_JSON_TYPE).build();
    }

    @GET
    @Path("/{id}/input_items")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "listInputItems", summary = "List a stored response's input items")
    @ApiErrors({400, 404})
    public Response inputItems(
            @PathParam("id") String id,
            @QueryParam("limit") String limitText,
            @QueryParam("order") String order,
            @QueryParam("after") String after,
            @Context HttpServletRequest http,
            @Context SecurityContext security) {
        var keyId = RequestContext.of(http).caller(security, PATH).keyId();
        int limit = limit(limitText);
        if (order != null && !order.equals("asc") && !order.equals("desc")) {
            throw ApiException.badRequest(
                    "Invalid value for 'order': '" + Printable.of(order, 20) + "'. Expected 'asc' or 'desc'.",
                    "order",
                    "invalid_value");
        }
        var response = stored.owned(id, keyId).orElseThrow(() -> StoredResponses.notFound(id));
        List<ObjectNode> items = new ArrayList<>(stored.items(response.inputItems()));
        if (!"asc".equals(order)) {
            Collections.reverse(items);
        }
        int from = 0;
        if (after != null) {
            from = -1;
            for (int i = 0; i < items.size(); i++) {
                if (after.equals(items.get(i).path("id").asText())) {
                    from = i + 1;
                }
            }
            if (from < 0) {
                throw ApiException.badRequest(
                        "No input item with id '" + Printable.of(after, 100) + "' in this response.", "after", null);
            }
        }
        var page = items.subList(from, Math.min(items.size(), from + limit));
        var list = mapper.createObjectNode().put("object", "list");
        ArrayNode data = list.putArray("data");
        page.forEach(data::add);
        if (page.isEmpty()) {
            list.putNull("first_id").putNull("last_id");
        } else {
            list.put("first_id", page.get(0).path("id").asText());
            list.put("last_id", page.get(page.size() - 1).path("id").asText());
        }
        list.put("has_more", from + page.size() < items.size());
        return Response.ok(list.toString(), MediaType.APPLICATION_JSON_TYPE).build();
    }

    private static int limit(String text) {
        if (text == null) {
            return 20;
        }
        try {
            int limit = Integer.parseInt(text);
            if (limit >= 1 && limit <= 100) {
                return limit;
            }
        } catch (NumberFormatException notANumber) {
            // refused below
        }
        throw ApiException.badRequest(
                "Invalid value for 'limit': expected an integer from 1 to 100.", "limit", "invalid_value");
    }

    /** One create call: its translations, worked out once, and how each target is attempted. */
    private final class Call {

        private final ResponsesRequest request;
        private final Caller caller;
        private final String model;
        private final List<ObjectNode> input;
        private final String id = ResponseIds.next("resp_");
        private final long createdAt = clock.millis();
        private final ChatTranslation.Result chat;
        private final List<ObjectNode> conversation;
        private volatile ObjectNode nativeBody;

        Call(
                ResponsesRequest request,
                Caller caller,
                String model,
                List<ObjectNode> input,
                List<ObjectNode> conversation) {
            this.request = request;
            this.caller = caller;
            this.model = model;
            this.input = input;
            this.chat = ChatTranslation.of(mapper, request, conversation, request.stream());
            this.conversation = conversation;
        }

        /**
         * The body for a provider that speaks the Responses API, made when one is first tried (or
         * the translation was refused): a route of chat-only providers never pays for it.
         */
        private ObjectNode nativeBody() {
            var body = nativeBody;
            if (body == null) {
                body = ResponsesResource.nativeBody(request, conversation);
                nativeBody = body;
            }
            return body;
        }

        /** What the accounts estimate from: the chat request, or the input's text when it has none. */
        private Object estimated() {
            if (chat.request() != null) {
                return chat.request();
            }
            return ChatCompletionRequest.of(
                    model, List.of(ChatMessage.user(nativeBody().path("input").toString())), false);
        }

        private ObjectNode envelope(String status) {
            return ResponseObjects.envelope(id, createdAt / 1000, request, model, status);
        }

        CompletableFuture<Served<ObjectNode>> json(Route route) {
            return calls.call(
                            caller,
                            route,
                            estimated(),
                            this::attempt,
                            response -> ResponseObjects.accounted(response.get("usage")))
                    // A JSON answer may complete on the upstream client's I/O thread, which must
                    // not wait on the database: storing it happens on the pool.
                    .thenApplyAsync(
                            served -> {
                                var response = served.value().put("model", model);
                                store(response);
                                return served;
                            },
                            request.store() ? storing : Runnable::run);
        }

        private CompletableFuture<ObjectNode> attempt(Target target) {
            Provider provider = target.state().provider();
            if (provider.speaksResponses()) {
                return provider.responses(nativeBody().deepCopy().put("model", target.upstreamModel()));
            }
            if (chat.request() == null) {
                return CompletableFuture.failedFuture(
                        ProviderException.untranslatable(provider.name(), chat.refusal()));
            }
            return provider.chat(chat.request().withModel(target.upstreamModel()))
                    .thenApply(response -> ResponseObjects.fromChat(envelope("completed"), response));
        }

        StreamHandle stream(Route route, RouteStreamObserver<ObjectNode> client) {
            var sink = new ResponseStreamSink(client, model, this::store);
            return calls.stream(
                    caller,
                    route,
                    estimated(),
                    this::streamAttempt,
                    sink,
                    ChatStreamEvents::commits,
                    event -> ResponseObjects.accounted(event.path("response").get("usage")));
        }

        private StreamHandle streamAttempt(Target target, StreamObserver<ObjectNode> events) {
            Provider provider = target.state().provider();
            if (provider.speaksResponses()) {
                return provider.streamResponses(nativeBody().deepCopy().put("model", target.upstreamModel()), events);
            }
            if (chat.request() == null) {
                events.onError(ProviderException.untranslatable(provider.name(), chat.refusal()));
                return () -> {};
            }
            var sent = chat.request().withUsageInStream().withModel(target.upstreamModel());
            return provider.streamChat(sent, new ChatStreamEvents(events, this::envelope));
        }

        /** Stores a finished response unless the request said {@code store: false}. */
        private void store(ObjectNode response) {
            if (!request.store()) {
                return;
            }
            try {
                stored.save(response, input, caller.keyId(), request.previousResponseId(), createdAt);
            } catch (RuntimeException e) {
                LOG.warn("Request {}: response {} could not be stored", caller.requestId(), response.path("id"), e);
            }
        }
    }

    /**
     * The body a Responses API upstream gets: the client's, with a previous response expanded
     * into the input (the gateway keeps the conversation, so any provider may continue it) and
     * the ids the gateway gave input items left out.
     */
    private static ObjectNode nativeBody(ResponsesRequest request, List<ObjectNode> conversation) {
        var body = request.body().deepCopy();
        if (request.previousResponseId() == null) {
            return body;
        }
        body.remove("previous_response_id");
        ArrayNode items = body.putArray("input");
        for (ObjectNode item : conversation) {
            var copy = item.deepCopy();
            JsonNode role = copy.get("role");
            if ("message".equals(copy.path("type").asText()) && role != null && !"assistant".equals(role.asText())) {
                copy.remove("id");
            }
            items.add(copy);
        }
        return body;
    }
}
