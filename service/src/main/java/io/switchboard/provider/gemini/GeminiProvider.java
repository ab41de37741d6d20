package io.switchboard.provider.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.api.ChatCompletionChunk;
import io.switchboard.api.ChatCompletionRequest;
import io.switchboard.api.ChatCompletionResponse;
import io.switchboard.api.EmbeddingRequest;
import io.switchboard.api.EmbeddingResponse;
import io.switchboard.api.ErrorDetail;
import io.switchboard.provider.Capability;
import io.switchboard.provider.ModelInfo;
import io.switchboard.provider.Provider;
import io.switchboard.provider.ProviderException;
import io.switchboard.provider.ProviderException.Kind;
import io.switchboard.provider.StreamHandle;
import io.switchboard.provider.StreamObserver;
import io.switchboard.provider.http.JsonHttpTransport;
import io.switchboard.provider.http.UpstreamErrors;
import io.switchboard.provider.http.UpstreamSettings;
import io.switchboard.provider.sse.SseEvent;
import io.switchboard.provider.sse.SseHandler;
import org.eclipse.jetty.client.Request;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Google's Generative Language API (Gemini) behind OpenAI's chat and embeddings API. Requests and
 * responses are translated by {@link GeminiMapper}, streams by a {@link GeminiStreamTranslator}
 * per stream. The key travels in the {@code x-goog-api-key} header, never in a URL.
 */
public final class GeminiProvider implements Provider {

    /** models.list pages at most this many times: a loop in Google's page tokens must not hang discovery. */
    private static final int MAX_MODEL_PAGES = 20;

    private static final String API_KEY_HEADER = "x-goog-api-key";

    private final String name;
    private final String baseUrl;
    private final String apiKey;
    private final Map<String, String> headers;
    private final JsonHttpTransport http;
    private final List<ModelInfo> staticModels;
    private final boolean discoverModels;
    private final Set<Capability> capabilities;
    private final Clock clock;

    public GeminiProvider(UpstreamSettings upstream, JsonHttpTransport http, Clock clock) {
        this.name = upstream.name();
        this.baseUrl = upstream.baseUrl();
        this.apiKey = upstream.apiKey();
        this.headers = upstream.headers();
        this.http = http;
        this.staticModels = upstream.staticModels();
        this.discoverModels = upstream.discoverModels();
        this.clock = clock;
        var caps = EnumSet.of(Capability.CHAT, Capability.EMBEDDINGS);
        if (discoverModels || !staticModels.isEmpty()) {
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
        return "gemini";
    }

    @Override
    public String baseUrl() {
        return baseUrl;
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
        var result = new CompletableFuture<List<ModelInfo>>();
        // The page being fetched now, so that cancelling the result (discovery timeout) aborts it.
        var inFlight = new AtomicReference<CompletableFuture<JsonNode>>();
        result.whenComplete((models, failure) -> {
            CompletableFuture<JsonNode> page = inFlight.get();
            if (result.isCancelled() && page != null) {
                page.cancel(true);
            }
        });
        fetchModels(null, new ArrayList<>(), 1, result, inFlight);
        return result;
    }

    private void fetchModels(
            String pageToken,
            List<ModelInfo> found,
            int page,
            CompletableFuture<List<ModelInfo>> result,
            AtomicReference<CompletableFuture<JsonNode>> inFlight) {
        String url = baseUrl + "/models?pageSize=1000"
                + (pageToken == null ? "" : "&pageToken=" + URLEncoder.encode(pageToken, StandardCharsets.UTF_8));
        CompletableFuture<JsonNode> call =
                http.exchange(authorize(http.get(url)), body -> http.mapper().readTree(body));
        inFlight.set(call);
        if (result.isDone()) {
            call.cancel(true);
            return;
        }
        call.whenComplete((body, failure) -> {
            if (failure != null) {
                result.completeExceptionally(failure);
                return;
            }
            found.addAll(GeminiMapper.models(body));
            String next = body.path("nextPageToken").asText("");
            if (next.isEmpty() || page >= MAX_MODEL_PAGES) {
                result.complete(withStaticModels(found));
            } else {
                fetchModels(next, found, page + 1, result, inFlight);
            }
        });
    }

    private List<ModelInfo> withStaticModels(List<ModelInfo> discovered) {
        return ModelInfo.merge(staticModels, discovered);
    }

    @Override
    public CompletableFuture<ChatCompletionResponse> chat(ChatCompletionRequest request) {
        ObjectNode body;
        try {
            body = GeminiMapper.generateContentRequest(request, http.mapper(), name);
        } catch (ProviderException untranslatable) {
            return CompletableFuture.failedFuture(untranslatable);
        }
        String id = newId();
        long created = clock.instant().getEpochSecond();
        return http.exchange(
                post(request.model(), "generateContent", "", body),
                bytes -> GeminiMapper.chatCompletion(
                        http.mapper().readTree(bytes), request.model(), id, created, http.mapper()));
    }

    @Override
    public StreamHandle streamChat(ChatCompletionRequest request, StreamObserver<ChatCompletionChunk> observer) {
        ObjectNode body;
        try {
            body = GeminiMapper.generateContentRequest(request, http.mapper(), name);
        } catch (ProviderException untranslatable) {
            observer.onError(untranslatable);
            return () -> {};
        }
        var translator = new GeminiStreamTranslator(
                name,
                request.model(),
                newId(),
                clock.instant().getEpochSecond(),
                request.wantsUsageInStream(),
                http.mapper());
        return http.stream(
                post(request.model(), "streamGenerateContent", "?alt=sse", body), new ChunkRelay(translator, observer));
    }

    @Override
    public CompletableFuture<EmbeddingResponse> embeddings(EmbeddingRequest request) {
        List<String> texts;
        try {
            texts = GeminiMapper.embeddingInputs(request, name);
        } catch (ProviderException untranslatable) {
            return CompletableFuture.failedFuture(untranslatable);
        }
        boolean batch = request.input().isArray();
        String resource = GeminiMapper.resource(request.model());
        ObjectNode body = batch
                ? GeminiMapper.batchEmbedContentsRequest(resource, texts, request.dimensions())
                : GeminiMapper.embedContentRequest(texts.get(0), request.dimensions());
        boolean base64 = "base64".equals(request.encodingFormat());
        return http.exchange(
                post(request.model(), batch ? "batchEmbedContents" : "embedContent", "", body),
                bytes -> GeminiMapper.embeddingResponse(http.mapper().readTree(bytes), request.model(), base64));
    }

    /** {@code POST {baseUrl}/models/{model}:{method}{query}}. */
    private Request post(String model, String method, String query, Object body) {
        String url = baseUrl + "/" + GeminiMapper.path(GeminiMapper.resource(model)) + ":" + method + query;
        return authorize(http.postJson(url, body));
    }

    private Request authorize(Request request) {
        return request.headers(h -> {
            headers.forEach(h::put);
            if (apiKey != null) {
                h.put(API_KEY_HEADER, apiKey);
            }
        });
    }

    private static String newId() {
        return "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");
    }

    @Override
    public String toString() {
        return "GeminiProvider[" + name + ", " + baseUrl + "]";
    }

    /** Feeds each {@code data:} event to the stream's translator and its chunks to the observer. */
    private final class ChunkRelay implements SseHandler {

        private final GeminiStreamTranslator translator;
        private final StreamObserver<ChatCompletionChunk> observer;

        ChunkRelay(GeminiStreamTranslator translator, StreamObserver<ChatCompletionChunk> observer) {
            this.translator = translator;
            this.observer = observer;
        }

        @Override
        public void onEvent(SseEvent event) {
            if (event.data().isBlank()) {
                return;
            }
            JsonNode response;
            try {
                response = http.mapper().readTree(event.data());
            } catch (IOException e) {
                throw new ProviderException(Kind.MALFORMED, name, "Unreadable stream event from " + name, e);
            }
            ErrorDetail error = GeminiMapper.errorDetail(response);
            if (error != null) {
                // A failure after the stream began: Google writes its error object as an event.
                int status = response.path("error").path("code").asInt(0);
                Kind kind = status >= 400 ? UpstreamErrors.kindOf(status) : Kind.UPSTREAM_5XX;
                throw new ProviderException(kind, name, error.message(), status, error, null, null);
            }
            for (ChatCompletionChunk chunk : translator.onResponse(response)) {
                observer.onNext(chunk);
            }
        }

        @Override
        public void onEnd() {
            try {
                for (ChatCompletionChunk chunk : translator.finish()) {
                    observer.onNext(chunk);
                }
            } catch (ProviderException failed) {
                observer.onError(failed);
                return;
            } catch (RuntimeException clientGone) {
                observer.onError(
                        new ProviderException(Kind.CANCELLED, name, "Stream abandoned: " + clientGone, clientGone));
                return;
            }
            observer.onComplete();
        }

        @Override
        public void onError(ProviderException error) {
            observer.onError(error);
        }
    }
}
