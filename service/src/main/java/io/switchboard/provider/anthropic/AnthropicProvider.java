package io.switchboard.provider.anthropic;

import io.switchboard.api.ApiException;
import io.switchboard.api.ChatCompletionChunk;
import io.switchboard.api.ChatCompletionRequest;
import io.switchboard.api.ChatCompletionResponse;
import io.switchboard.api.UnixTime;
import io.switchboard.provider.Capability;
import io.switchboard.provider.ModelInfo;
import io.switchboard.provider.NativeMessages;
import io.switchboard.provider.Provider;
import io.switchboard.provider.ProviderException;
import io.switchboard.provider.StreamHandle;
import io.switchboard.provider.StreamObserver;
import io.switchboard.provider.http.JsonHttpTransport;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An upstream that speaks Anthropic's Messages API. Requests are translated by
 * {@link AnthropicMapper}, responses back by it, streams by an {@link AnthropicStreamTranslator};
 * this class only adds the headers and drives the HTTP calls.
 */
public final class AnthropicProvider implements Provider {

    private static final Logger LOG = LoggerFactory.getLogger(AnthropicProvider.class);
    /** A guard against a model list that never stops saying has_more. */
    private static final int MAX_MODEL_PAGES = 50;

    private final AnthropicSettings settings;
    private final JsonHttpTransport http;
    private final Set<Capability> capabilities;
    private final NativeMessages nativeMessages;

    AnthropicProvider(AnthropicSettings settings, JsonHttpTransport http) {
        this.settings = settings;
        this.http = http;
        this.nativeMessages = new AnthropicNativeMessages(settings, http, this::authorize);
        var caps = EnumSet.of(Capability.CHAT);
        if (settings.discoverModels() || !settings.staticModels().isEmpty()) {
            caps.add(Capability.MODEL_LIST);
        }
        this.capabilities = Set.copyOf(caps);
    }

    @Override
    public String name() {
        return settings.name();
    }

    @Override
    public String type() {
        return "anthropic";
    }

    @Override
    public String baseUrl() {
        return settings.baseUrl();
    }

    @Override
    public Set<Capability> capabilities() {
        return capabilities;
    }

    /** Anthropic's own API: a Messages ingress passes its requests through, untranslated. */
    @Override
    public Optional<NativeMessages> nativeMessages() {
        return Optional.of(nativeMessages);
    }

    @Override
    public CompletableFuture<ChatCompletionResponse> chat(ChatCompletionRequest request) {
        AnthropicRequest translated;
        try {
            translated = translate(request, false);
        } catch (ProviderException refused) {
            return CompletableFuture.failedFuture(refused);
        }
        // One reader, not a thenApply chain: cancelling the returned future must abort the call.
        return http.exchange(
                post("/v1/messages", translated),
                body -> AnthropicMapper.toChatCompletion(http.mapper().readTree(body), UnixTime.nowSeconds()));
    }

    @Override
    public StreamHandle streamChat(ChatCompletionRequest request, StreamObserver<ChatCompletionChunk> observer) {
        AnthropicRequest translated;
        try {
            translated = translate(request, true);
        } catch (ProviderException refused) {
            observer.onError(refused);
            return () -> {};
        }
        var translator = new AnthropicStreamTranslator(
                settings.name(),
                request.model(),
                request.wantsUsageInStream(),
                UnixTime.nowSeconds(),
                http.mapper(),
                observer);
        return http.stream(post("/v1/messages", translated), translator);
    }

    /**
     * Translates, or refuses what Anthropic cannot do, as every adapter refuses an untranslatable
     * request: {@link ProviderException#untranslatable}, so routing may try another candidate and
     * the client, if none can, gets a 400 naming the parameter.
     */
    private AnthropicRequest translate(ChatCompletionRequest request, boolean stream) {
        AnthropicRequest translated;
        try {
            translated = AnthropicMapper.toMessagesRequest(
                    request, stream, settings.version(), settings.defaultMaxTokens(), http.mapper());
        } catch (ApiException refused) {
            throw ProviderException.untranslatable(settings.name(), refused.detail());
        }
        if (!translated.notes().isEmpty() && LOG.isDebugEnabled()) {
            LOG.debug("{}: not sent to Anthropic as asked: {}", settings.name(), String.join("; ", translated.notes()));
        }
        return translated;
    }

    @Override
    public CompletableFuture<List<ModelInfo>> listModels() {
        if (!settings.discoverModels()) {
            return CompletableFuture.completedFuture(settings.staticModels());
        }
        var result = new CompletableFuture<List<ModelInfo>>();
        var inFlight = new AtomicReference<CompletableFuture<AnthropicModelPage>>();
        // Cancelling the listing (the registry's timeout) aborts whichever page is being fetched.
        result.whenComplete((models, failure) -> {
            CompletableFuture<AnthropicModelPage> page = inFlight.get();
            if (result.isCancelled() && page != null) {
                page.cancel(true);
            }
        });
        fetchModels(null, new ArrayList<>(), 1, result, inFlight);
        return result;
    }

    private void fetchModels(
            String afterId,
            List<ModelInfo> found,
            int pageNumber,
            CompletableFuture<List<ModelInfo>> result,
            AtomicReference<CompletableFuture<AnthropicModelPage>> inFlight) {
        String url = settings.baseUrl() + "/v1/models?limit=1000"
                + (afterId == null ? "" : "&after_id=" + URLEncoder.encode(afterId, StandardCharsets.UTF_8));
        CompletableFuture<AnthropicModelPage> page = http.exchange(
                authorize(http.get(url)),
                body -> AnthropicMapper.modelPage(http.mapper().readTree(body)));
        inFlight.set(page);
        if (result.isDone()) {
            page.cancel(true);
            return;
        }
        page.whenComplete((models, failure) -> {
            if (failure != null) {
                result.completeExceptionally(failure);
                return;
            }
            found.addAll(models.models());
            String next = models.lastId();
            if (models.hasMore() && next != null && !next.equals(afterId) && pageNumber < MAX_MODEL_PAGES) {
                fetchModels(next, found, pageNumber + 1, result, inFlight);
            } else {
                if (models.hasMore()) {
                    LOG.warn(
                            "{}: model list still says has_more after {} pages; using the {} models found",
                            settings.name(),
                            pageNumber,
                            found.size());
                }
                result.complete(withStaticModels(found));
            }
        });
    }

    private List<ModelInfo> withStaticModels(List<ModelInfo> discovered) {
        return ModelInfo.merge(settings.staticModels(), discovered);
    }

    private Request post(String path, AnthropicRequest translated) {
        return authorize(http.postJson(settings.baseUrl() + path, translated.body()));
    }

    /** Configured headers first, so that the version and the key this adapter follows always win. */
    private Request authorize(Request request) {
        return request.headers(h -> {
            settings.headers().forEach(h::put);
            h.put("anthropic-version", settings.version().header());
            if (settings.apiKey() != null) {
                if (settings.version().bearerAuth()) {
                    h.put(HttpHeader.AUTHORIZATION, "Bearer " + settings.apiKey());
                } else {
                    h.put("x-api-key", settings.apiKey());
                }
            }
        });
    }

    @Override
    public String toString() {
        return "AnthropicProvider[" + settings.name() + ", " + settings.baseUrl() + ", " + settings.version() + "]";
    }
}
