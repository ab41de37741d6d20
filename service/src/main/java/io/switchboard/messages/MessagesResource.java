package io.switchboard.messages;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.switchboard.api.ApiException;
import io.switchboard.api.ChatCompletionRequest;
import io.switchboard.api.ChatMessage;
import io.switchboard.api.Usage;
import io.switchboard.provider.Capability;
import io.switchboard.provider.NativeMessages;
import io.switchboard.provider.NativeMessages.Event;
import io.switchboard.provider.Provider;
import io.switchboard.provider.ProviderException;
import io.switchboard.provider.StreamHandle;
import io.switchboard.provider.StreamObserver;
import io.switchboard.resources.ApiRequestReader;
import io.switchboard.resources.ErrorResponses;
import io.switchboard.resources.RequestContext;
import io.switchboard.resources.Responder;
import io.switchboard.resources.SseFraming;
import io.switchboard.routing.Route;
import io.switchboard.routing.RoutedCalls;
import io.switchboard.routing.Target;
import io.switchboard.usage.CostEstimator;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * {@code POST /v1/messages} and {@code POST /v1/messages/count_tokens}: Anthropic's Messages API
 * in front of every provider, along the same route as chat ({@link RoutedCalls}: retries,
 * fallbacks, breakers, the commit point, keys, budgets, the ledger, metrics).
 *
 * <p>Each target decides for itself: a provider that speaks the Messages API natively gets the
 * client's body byte for byte with only {@code model} rewritten, and its answer (or each of its
 * events) comes back as sent, with the client's model id restored; any other provider gets the
 * request translated to chat completions ({@link MessagesRequests}) and its answer translated back
 * ({@link MessagesReplies}, {@link ChatToMessagesStream}). Errors are Anthropic's shape
 * ({@link AnthropicErrors}).
 */
@Tag(name = "Messages")
@Path(MessagesResource.PATH)
public final class MessagesResource {

    static final String PATH = "/v1/messages";
    static final String COUNT_TOKENS_PATH = PATH + "/count_tokens";
    /** The client's protocol headers a native upstream is sent. */
    static final Set<String> FORWARDED = Set.of("anthropic-beta", "anthropic-version");

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Usage FREE = Usage.of(0, 0);
    private static final Set<String> COMMITTING = Set.of("content_block_delta", "message_delta", "message_stop");

    private final ApiRequestReader reader;
    private final RoutedCalls calls;
    private final Responder responder;

    public MessagesResource(ApiRequestReader reader, RoutedCalls calls, Responder responder) {
        this.reader = reader;
        this.calls = calls;
        this.responder = responder;
    }

    /** What a call answers: the body as it goes to the client (raw bytes, or a tree), and its usage. */
    record Answer(@JsonValue Object body, @JsonIgnore Usage usage) {

        static Answer raw(byte[] json, Usage usage) {
            return new Answer(new RawValue(new String(json, StandardCharsets.UTF_8)), usage);
        }
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces({MediaType.APPLICATION_JSON, MediaType.SERVER_SENT_EVENTS})
    @Operation(
            operationId = "createMessage",
            summary = "Create a message (Anthropic's Messages API)",
            description = "Anthropic's `POST /v1/messages` for every provider: passed through to Anthropic"
                    + " providers, translated to chat completions for the others. With `\"stream\": true`, a"
                    + " `text/event-stream` of Anthropic's named events. The key may be sent as `x-api-key`."
                    + " Errors are Anthropic's shape: `{\"type\":\"error\",\"error\":{\"type\",\"message\"}}`;"
                    + " when every target was overloaded the status is 529.")
    @RequestBody(required = true, content = @Content(schema = @Schema(type = "object")))
    @ApiResponse(
            responseCode = "200",
            description = "The message, or its events as server-sent events",
            content = {
                @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = "object")),
                @Content(mediaType = MediaType.SERVER_SENT_EVENTS, schema = @Schema(type = "object"))
            })
    public void create(
            @Parameter(hidden = true) InputStream body,
            @Context HttpServletRequest http,
            @Context SecurityContext security,
            @Context HttpHeaders headers,
            @Suspended AsyncResponse async) {
        var context = RequestContext.of(http);
        var caller = context.caller(security, PATH);
        var incoming = read(body, headers, false);
        var translation = MessagesRequests.toChat(incoming.tree(), calls.wantsUsage());
        Route route = incoming.route();
        var attempts = new Attempts(incoming.bytes(), translation, incoming.forwarded(), route.requestedModel());
        if (incoming.tree().path("stream").asBoolean(false)) {
            responder.stream(
                    async,
                    context,
                    "messages_stream",
                    new Framing(context.id()),
                    observer -> calls.stream(
                            caller,
                            route,
                            translation.chat(),
                            attempts::stream,
                            observer,
                            event -> COMMITTING.contains(event.name()),
                            Event::usage));
        } else {
            responder.json(
                    async,
                    context,
                    "messages",
                    calls.call(caller, route, translation.chat(), attempts::call, Answer::usage));
        }
    }

    @POST
    @Path("count_tokens")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(
            operationId = "countMessageTokens",
            summary = "Count the input tokens of a message (Anthropic's Messages API)",
            description = "Anthropic's own count for Anthropic providers; for the others an estimate made by the"
                    + " gateway (docs/api.md, \"Counting tokens\"), without calling them.")
    @RequestBody(required = true, content = @Content(schema = @Schema(type = "object")))
    @ApiResponse(
            responseCode = "200",
            description = "`{\"input_tokens\": n}`",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = "object")))
    public void countTokens(
            @Parameter(hidden = true) InputStream body,
            @Context HttpServletRequest http,
            @Context SecurityContext security,
            @Context HttpHeaders headers,
            @Suspended AsyncResponse async) {
        var context = RequestContext.of(http);
        var caller = context.caller(security, COUNT_TOKENS_PATH);
        var incoming = read(body, headers, true);
        // Counting generates nothing: the accounts reserve for one output token, and it costs nothing.
        ObjectNode forAccounts = incoming.tree().deepCopy().put("max_tokens", 1);
        var translation = MessagesRequests.toChat(forAccounts, false);
        byte[] bytes = incoming.bytes();
        Map<String, String> forwarded = incoming.forwarded();
        Route route = incoming.route();
        responder.json(
                async,
                context,
                "count_tokens",
                calls.call(
                        caller,
                        route,
                        translation.chat(),
                        target -> {
                            var native_ = provider(target).nativeMessages();
                            if (native_.isEmpty()) {
                                ObjectNode estimate =
                                        NODES.objectNode().put("input_tokens", estimateInputTokens(translation.chat()));
                                return CompletableFuture.completedFuture(new Answer(estimate, FREE));
                            }
                            var call = new NativeMessages.Call(
                                    target.upstreamModel(),
                                    ModelField.replace(bytes, target.upstreamModel()),
                                    forwarded);
                            return Futures.map(
                                    native_.get().countTokens(call), reply -> Answer.raw(reply.body(), FREE));
                        },
                        Answer::usage));
    }

    /**
     * The gateway's estimate of a request's input tokens, for providers with no count of their
     * own: {@link CostEstimator#promptTokens(Iterable)} over each message's text (the system
     * prompt included), plus the tool definitions' JSON as text. Images are not counted.
     */
    static long estimateInputTokens(ChatCompletionRequest chat) {
        var texts = new ArrayList<String>();
        for (ChatMessage message : chat.messages()) {
            texts.add(message.text());
            if (message.toolCalls() != null) {
                message.toolCalls()
                        .forEach(call -> texts.add(
                                call.function().name() + call.function().arguments()));
            }
        }
        long tokens = CostEstimator.promptTokens(texts);
        if (chat.tools() != null) {
            for (var tool : chat.tools()) {
                tokens += CostEstimator.promptTokens(
                        String.valueOf(tool.function().name())
                                + tool.function().description()
                                + tool.function().parameters());
            }
        }
        return tokens;
    }

    /** A request as both endpoints take it: its bytes, their tree (checked), the headers to forward, its route. */
    private record Incoming(byte[] bytes, ObjectNode tree, Map<String, String> forwarded, Route route) {}

    private Incoming read(InputStream body, HttpHeaders headers, boolean countTokens) {
        byte[] bytes = reader.readBytes(body);
        ObjectNode tree = reader.parse(bytes, ObjectNode.class);
        MessagesRequests.check(tree, countTokens);
        return new Incoming(
                bytes, tree, forwarded(headers), calls.resolve(tree.get("model").textValue(), Capability.CHAT));
    }

    private static Map<String, String> forwarded(HttpHeaders headers) {
        var out = new LinkedHashMap<String, String>();
        for (String name : FORWARDED) {
            List<String> values = headers.getRequestHeader(name);
            if (values != null && !values.isEmpty()) {
                out.put(name, String.join(",", values));
            }
        }
        return out;
    }

    private static Provider provider(Target target) {
        return target.state().provider();
    }

    /** What one target of a {@code /v1/messages} call does: pass through, or translate. */
    private static final class Attempts {

        private final byte[] body;
        private final MessagesRequests.Translation translation;
        private final Map<String, String> forwarded;
        private final String model;

        Attempts(byte[] body, MessagesRequests.Translation translation, Map<String, String> forwarded, String model) {
            this.body = body;
            this.translation = translation;
            this.forwarded = forwarded;
            this.model = model;
        }

        CompletableFuture<Answer> call(Target target) {
            Provider provider = provider(target);
            var native_ = provider.nativeMessages();
            if (native_.isPresent()) {
                return Futures.map(
                        native_.get().create(nativeCall(target)),
                        reply -> Answer.raw(ModelField.replace(reply.body(), model), reply.usage()));
            }
            if (translation.refusal() != null) {
                return CompletableFuture.failedFuture(
                        ProviderException.untranslatable(provider.name(), translation.refusal()));
            }
            return Futures.map(
                    provider.chat(translation.chat().withModel(target.upstreamModel())),
                    response -> new Answer(MessagesReplies.message(response, model), response.usage()));
        }

        StreamHandle stream(Target target, StreamObserver<Event> downstream) {
            Provider provider = provider(target);
            var native_ = provider.nativeMessages();
            if (native_.isPresent()) {
                return native_.get().stream(nativeCall(target), new RestoredModel(model, downstream));
            }
            if (translation.refusal() != null) {
                downstream.onError(ProviderException.untranslatable(provider.name(), translation.refusal()));
                return () -> {};
            }
            return provider.streamChat(
                    translation.chat().withModel(target.upstreamModel()), new ChatToMessagesStream(model, downstream));
        }

        private NativeMessages.Call nativeCall(Target target) {
            return new NativeMessages.Call(
                    target.upstreamModel(), ModelField.replace(body, target.upstreamModel()), forwarded);
        }
    }

    /** A native stream with the client's model id put back into {@code message_start}. */
    private record RestoredModel(String model, StreamObserver<Event> downstream) implements StreamObserver<Event> {

        @Override
        public void onNext(Event event) {
            downstream.onNext(
                    "message_start".equals(event.name())
                            ? new Event(event.name(), ModelField.replaceInMessage(event.data(), model), event.usage())
                            : event);
        }

        @Override
        public void onComplete() {
            downstream.onComplete();
        }

        @Override
        public void onError(ProviderException error) {
            downstream.onError(error);
        }
    }

    /** Anthropic's named events; a failure after the commit point is an {@code error} event; pings keep quiet streams alive. */
    private record Framing(String requestId) implements SseFraming<Event> {

        private static final Frame PING = new Frame("ping", "{\"type\": \"ping\"}");

        @Override
        public Frame frame(Event item) {
            return new Frame(item.name(), item.data());
        }

        @Override
        public List<Frame> end(ProviderException failure) {
            if (failure == null) {
                return List.of();
            }
            ApiException error = ErrorResponses.of(failure);
            int status = AnthropicErrors.status(error.status());
            return List.of(new Frame(
                    "error",
                    AnthropicErrors.body(status, error.detail(), requestId).toString()));
        }

        @Override
        public Frame heartbeat() {
            return PING;
        }
    }
}
