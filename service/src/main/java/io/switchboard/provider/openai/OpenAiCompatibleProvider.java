package io.switchboard.provider.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.api.ChatCompletionChunk;
import io.switchboard.api.ChatCompletionRequest;
import io.switchboard.api.ChatCompletionResponse;
import io.switchboard.api.CompletionRequest;
import io.switchboard.api.CompletionResponse;
import io.switchboard.api.EmbeddingRequest;
import io.switchboard.api.EmbeddingResponse;
import io.switchboard.api.ErrorDetail;
import io.switchboard.api.ImageRequest;
import io.switchboard.api.ImageResponse;
import io.switchboard.provider.Capability;
import io.switchboard.provider.ModelInfo;
import io.switchboard.provider.Provider;
import io.switchboard.provider.ProviderException;
import io.switchboard.provider.StreamHandle;
import io.switchboard.provider.StreamObserver;
import io.switchboard.provider.http.JsonHttpTransport;
import io.switchboard.provider.http.UpstreamSettings;
import io.switchboard.provider.sse.SseEvent;
import io.switchboard.provider.sse.SseHandler;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpHeader;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * An upstream that speaks OpenAI's API. Requests go out as the client sent them (only
 * {@code model} was changed, by routing); responses and chunks come back as the upstream wrote
 * them, field for field, including fields this code has never heard of. Where each call goes is
 * the {@link OpenAiRoutes}' business, so upstreams that address models differently (Azure's
 * deployments) reuse everything else.
 */
public final class OpenAiCompatibleProvider implements Provider {

    private final String name;
    private final String type;
    private final OpenAiRoutes routes;
    private final String apiKey;
    private final Map<String, String> headers;
    private final JsonHttpTransport http;
    private final List<ModelInfo> staticModels;
    private final Set<Capability> capabilities;
    private final boolean discoverModels;
    private final boolean nativeResponses;

    /** An OpenAI-compatible upstream at {@code upstream.baseUrl()}, its key sent as a Bearer token. */
    public OpenAiCompatibleProvider(UpstreamSettings upstream, JsonHttpTransport http) {
        this(upstream, "openai", new BaseUrlRoutes(upstream.baseUrl()), http);
    }

    /**
     * @param type    the configured {@code type} this provider reports
     * @param routes  where each call goes (the upstream's base URL is the routes' business)
     */
    public OpenAiCompatibleProvider(
            UpstreamSettings upstream, String type, OpenAiRoutes routes, JsonHttpTransport http) {
        this(upstream, type, routes, http, false);
    }

    /**
     * @param nativeResponses whether the upstream serves {@code POST /responses} itself (OpenAI,
     *                        Azure), so the Responses API passes through instead of being translated
     */
    public OpenAiCompatibleProvider(
            UpstreamSettings upstream,
            String type,
            OpenAiRoutes routes,
            JsonHttpTransport http,
            boolean nativeResponses) {
        this.nativeResponses = nativeResponses;
        this.name = upstream.name();
        this.type = type;
        this.routes = routes;
        this.apiKey = upstream.apiKey();
        this.headers = upstream.headers();
        this.http = http;
        this.staticModels = upstream.staticModels();
        boolean discoverModels = upstream.discoverModels();
        var caps = EnumSet.of(Capability.CHAT, Capability.COMPLETIONS, Capability.EMBEDDINGS, Capability.IMAGES);
        this.discoverModels = discoverModels && routes.modelsUrl().isPresent();
        if (this.discoverModels || !staticModels.isEmpty()) {
            caps.add(Capability.MODEL_LIST);
        }
        this.capabilities = Set.copyOf(caps);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String type() {
        return type;
    }

    @Override
    public String baseUrl() {
        return routes.baseUrl();
    }

    @Override
    public String probeTarget() {
        return discoverModels ? "GET " + routes.modelsUrl().orElseThrow() : "the configured model list";
    }

    @Override
    public Set<Capability> capabilities() {
        return capabilities;
    }

    @Override
    public CompletableFuture<List<ModelInfo>> listModels() {
        if (!discoverModels) {
            return CompletableFuture.completedFuture(staticModels);
        }
        // One reader, not a thenApply chain: cancelling the returned future must abort the call.
        return http.exchange(
                authorize(http.get(routes.modelsUrl().orElseThrow())), body -> withStaticModels(readModels(body)));
    }

    private List<ModelInfo> readModels(byte[] body) throws IOException {
        JsonNode data = http.mapper().readTree(body).path("data");
        if (!data.isArray()) {
            throw new IOException("no \"data\" array in the model list");
        }
        var models = new ArrayList<ModelInfo>();
        for (JsonNode model : data) {
            String id = model.path("id").asText(null);
            if (id != null && !id.isEmpty()) {
                models.add(ModelInfo.of(
                        id,
                        model.path("created").asLong(0),
                        model.path("owned_by").asText(name)));
            }
        }
        return models;
    }

    private List<ModelInfo> withStaticModels(List<ModelInfo> discovered) {
        return ModelInfo.merge(staticModels, discovered);
    }

    @Override
    public CompletableFuture<ChatCompletionResponse> chat(ChatCompletionRequest request) {
        return http.exchange(post("/chat/completions", request.model(), request), ChatCompletionResponse.class);
    }

    @Override
    public StreamHandle streamChat(ChatCompletionRequest request, StreamObserver<ChatCompletionChunk> observer) {
        return http.stream(
                post("/chat/completions", request.model(), request),
                new ChunkRelay<>(
                        observer,
                        ChatCompletionChunk.class,
                        chunk -> chunk.choices() != null,
                        chunk -> chunk.choices() != null
                                && chunk.choices().stream().anyMatch(choice -> choice.finishReason() != null)));
    }

    @Override
    public CompletableFuture<CompletionResponse> completions(CompletionRequest request) {
        return http.exchange(post("/completions", request.model(), request), CompletionResponse.class);
    }

    @Override
    public StreamHandle streamCompletions(CompletionRequest request, StreamObserver<CompletionResponse> observer) {
        return http.stream(
                post("/completions", request.model(), request),
                new ChunkRelay<>(
                        observer,
                        CompletionResponse.class,
                        chunk -> chunk.choices() != null,
                        chunk -> chunk.choices() != null
                                && chunk.choices().stream().anyMatch(choice -> choice.finishReason() != null)));
    }

    @Override
    public CompletableFuture<EmbeddingResponse> embeddings(EmbeddingRequest request) {
        return http.exchange(post("/embeddings", request.model(), request), EmbeddingResponse.class);
    }

    @Override
    public CompletableFuture<ImageResponse> images(ImageRequest request) {
        return http.exchange(post("/images/generations", request.model(), request), ImageResponse.class);
    }

    @Override
    public boolean speaksResponses() {
        return nativeResponses;
    }

    @Override
    public CompletableFuture<ObjectNode> responses(ObjectNode request) {
        return http.exchange(postResponses(request), ObjectNode.class);
    }

    @Override
    public StreamHandle streamResponses(ObjectNode request, StreamObserver<ObjectNode> observer) {
        return http.stream(postResponses(request), new ResponseEventRelay(observer));
    }

    private Request postResponses(ObjectNode request) {
        String model = request.path("model").asText(null);
        var body = request.deepCopy().put("model", routes.responsesModel(model));
        return authorize(http.postJson(routes.responsesUrl(model), body));
    }

    private Request post(String path, String model, Object body) {
        return authorize(http.postJson(routes.url(path, model), body));
    }

    private Request authorize(Request request) {
        return request.headers(h -> {
            headers.forEach(h::put);
            if (apiKey != null) {
                h.put(HttpHeader.AUTHORIZATION, "Bearer " + apiKey);
            }
        });
    }

    @Override
    public String toString() {
        return "OpenAiCompatibleProvider[" + name + ", " + routes.baseUrl() + "]";
    }

    /**
     * Turns {@code data:} events into chunks. OpenAI ends a stream with {@code [DONE]}; a failure
     * mid-stream arrives as an event whose object is {@code {"error":{...}}}. A stream that ends
     * cleanly with neither {@code [DONE]} nor a finish reason was cut short (a proxy timing out,
     * a server restarting), and is reported as a failure rather than passed off as complete.
     */
    private final class ChunkRelay<T> implements SseHandler {

        private final StreamObserver<T> observer;
        private final Class<T> type;
        private final Predicate<T> hasChoices;
        private final Predicate<T> finishes;
        private final ObjectMapper mapper = http.mapper();
        private boolean ended;

        ChunkRelay(StreamObserver<T> observer, Class<T> type, Predicate<T> hasChoices, Predicate<T> finishes) {
            this.observer = observer;
            this.type = type;
            this.hasChoices = hasChoices;
            this.finishes = finishes;
        }

        @Override
        public void onEvent(SseEvent event) {
            if (event.isDone()) {
                ended = true;
                return;
            }
            T chunk = OpenAiChunks.read(mapper, event.data(), type, hasChoices, name);
            ended = ended || finishes.test(chunk);
            observer.onNext(chunk);
        }

        @Override
        public void onEnd() {
            if (ended) {
                observer.onComplete();
            } else {
                observer.onError(new ProviderException(
                        ProviderException.Kind.MALFORMED,
                        name,
                        "The stream ended before a finish reason or [DONE]: it was cut short"));
            }
        }

        @Override
        public void onError(ProviderException error) {
            observer.onError(error);
        }
    }

    /**
     * Passes a Responses API event stream on, event by event. It ends with
     * {@code response.completed}, {@code response.incomplete} or {@code response.failed}; one that
     * ends without any was cut short. An {@code error} event is a failure (before the commit point
     * it falls back like any other).
     */
    private final class ResponseEventRelay implements SseHandler {

        private final StreamObserver<ObjectNode> observer;
        private boolean ended;

        ResponseEventRelay(StreamObserver<ObjectNode> observer) {
            this.observer = observer;
        }

        @Override
        public void onEvent(SseEvent event) {
            if (event.isDone()) {
                return;
            }
            ObjectNode data;
            try {
                data = http.mapper().readValue(event.data(), ObjectNode.class);
            } catch (IOException | RuntimeException e) {
                throw new ProviderException(ProviderException.Kind.MALFORMED, name, "Unreadable event from " + name, e);
            }
            String type = data.path("type").asText("");
            if (type.equals("error")) {
                var detail = new ErrorDetail(
                        data.path("message").asText("stream failed"),
                        ErrorDetail.SERVER_ERROR,
                        data.path("param").asText(null),
                        data.path("code").asText(null));
                throw new ProviderException(
                        ProviderException.Kind.UPSTREAM_5XX, name, detail.message(), 0, detail, null, null);
            }
            ended = ended
                    || type.equals("response.completed")
                    || type.equals("response.incomplete")
                    || type.equals("response.failed");
            observer.onNext(data);
        }

        @Override
        public void onEnd() {
            if (ended) {
                observer.onComplete();
            } else {
                observer.onError(new ProviderException(
                        ProviderException.Kind.MALFORMED,
                        name,
                        "The response stream ended before response.completed: it was cut short"));
            }
        }

        @Override
        public void onError(ProviderException error) {
            observer.onError(error);
        }
    }
}
