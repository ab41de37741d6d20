package io.switchboard.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.api.ChatCompletionChunk;
import io.switchboard.api.ChatCompletionRequest;
import io.switchboard.api.ChatCompletionResponse;
import io.switchboard.api.CompletionRequest;
import io.switchboard.api.CompletionResponse;
import io.switchboard.api.EmbeddingRequest;
import io.switchboard.api.EmbeddingResponse;
import io.switchboard.api.ImageRequest;
import io.switchboard.api.ImageResponse;
import io.switchboard.api.Usage;
import io.switchboard.provider.Capability;
import io.switchboard.provider.ModelInfo;
import io.switchboard.provider.NativeMessages;
import io.switchboard.provider.Provider;
import io.switchboard.provider.ProviderException;
import io.switchboard.provider.StreamHandle;
import io.switchboard.provider.StreamObserver;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Measures every call to one provider from the outside: latency, time to first token, errors by
 * kind, calls in flight, tokens. The adapter inside knows nothing of it. Returned futures
 * complete after the call is counted, and failing or cancelling them reaches the adapter.
 */
final class InstrumentedProvider implements Provider {

    private final Provider delegate;
    private final GatewayMetrics metrics;
    private final Predicate<String> listsModel;

    InstrumentedProvider(Provider delegate, GatewayMetrics metrics, Predicate<String> listsModel) {
        this.delegate = delegate;
        this.metrics = metrics;
        this.listsModel = listsModel;
    }

    /** The model label: the id if the provider lists it, else {@link GatewayMetrics#UNLISTED_MODEL}. */
    private String modelLabel(String model) {
        return model != null && listsModel.test(model) ? model : GatewayMetrics.UNLISTED_MODEL;
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public String type() {
        return delegate.type();
    }

    @Override
    public String baseUrl() {
        return delegate.baseUrl();
    }

    @Override
    public String probeTarget() {
        return delegate.probeTarget();
    }

    @Override
    public Set<Capability> capabilities() {
        return delegate.capabilities();
    }

    @Override
    public CompletableFuture<List<ModelInfo>> listModels() {
        return delegate.listModels();
    }

    @Override
    public CompletableFuture<ChatCompletionResponse> chat(ChatCompletionRequest request) {
        return measure("chat", request.model(), () -> delegate.chat(request), ChatCompletionResponse::usage);
    }

    @Override
    public StreamHandle streamChat(ChatCompletionRequest request, StreamObserver<ChatCompletionChunk> observer) {
        var measured = new MeasuredStream<>(observer, "chat_stream", request.model(), chunk -> usageOf(chunk.usage()));
        return measured.start(delegate.streamChat(request, measured));
    }

    @Override
    public CompletableFuture<CompletionResponse> completions(CompletionRequest request) {
        return measure("completions", request.model(), () -> delegate.completions(request), CompletionResponse::usage);
    }

    @Override
    public StreamHandle streamCompletions(CompletionRequest request, StreamObserver<CompletionResponse> observer) {
        var measured = new MeasuredStream<>(observer, "completions_stream", request.model(), CompletionResponse::usage);
        return measured.start(delegate.streamCompletions(request, measured));
    }

    @Override
    public CompletableFuture<EmbeddingResponse> embeddings(EmbeddingRequest request) {
        return measure(
                "embeddings",
                request.model(),
                () -> delegate.embeddings(request),
                response -> response.usage() == null
                        ? null
                        : Usage.of(response.usage().promptTokens(), 0));
    }

    @Override
    public CompletableFuture<ImageResponse> images(ImageRequest request) {
        return measure("images", request.model(), () -> delegate.images(request), response -> null);
    }

    /** The native Messages API, measured like every other call ({@code messages}, {@code messages_stream}). */
    @Override
    public Optional<NativeMessages> nativeMessages() {
        return delegate.nativeMessages().map(MeasuredMessages::new);
    }

    @Override
    public boolean speaksResponses() {
        return delegate.speaksResponses();
    }

    @Override
    public CompletableFuture<ObjectNode> responses(ObjectNode request) {
        return measure(
                "responses",
                request.path("model").asText(null),
                () -> delegate.responses(request),
                response -> responsesUsage(response.get("usage")));
    }

    @Override
    public StreamHandle streamResponses(ObjectNode request, StreamObserver<ObjectNode> observer) {
        var measured = new MeasuredStream<>(
                observer,
                "responses_stream",
                request.path("model").asText(null),
                event -> responsesUsage(event.path("response").get("usage")));
        return measured.start(delegate.streamResponses(request, measured));
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public String toString() {
        return delegate.toString();
    }

    private <T> CompletableFuture<T> measure(
            String operation,
            String model,
            java.util.function.Supplier<CompletableFuture<T>> call,
            Function<T, Usage> usage) {
        String provider = delegate.name();
        String modelLabel = modelLabel(model);
        metrics.inFlight.labelValues(provider, modelLabel).inc();
        long start = System.nanoTime();
        CompletableFuture<T> future;
        try {
            future = call.get();
        } catch (RuntimeException e) {
            future = CompletableFuture.failedFuture(e);
        }
        CompletableFuture<T> upstream = future;
        var measured = new CompletableFuture<T>();
        // Counted on the adapter's own future, whose dependents nobody else completes, so the count
        // always happens; the caller's future completes only after it, so metrics never lag.
        upstream.whenComplete((value, failure) -> {
            metrics.inFlight.labelValues(provider, modelLabel).dec();
            if (failure == null) {
                finished(provider, modelLabel, operation, start, null);
                countTokens(provider, modelLabel, usage.apply(value));
                measured.complete(value);
            } else {
                finished(provider, modelLabel, operation, start, ProviderException.from(failure, provider));
                measured.completeExceptionally(failure);
            }
        });
        // Failing or cancelling what the caller holds must still reach the adapter's own future.
        measured.whenComplete((value, failure) -> {
            if (failure != null && !upstream.isDone()) {
                upstream.completeExceptionally(failure);
            }
        });
        return measured;
    }

    private void finished(String provider, String model, String operation, long start, ProviderException error) {
        if (error != null && error.kind() == ProviderException.Kind.UNSUPPORTED) {
            return; // refused before any upstream call: nothing to count as one
        }
        String outcome = error == null ? "success" : "error";
        metrics.latency.labelValues(provider, model, operation, outcome).observe((System.nanoTime() - start) / 1e9);
        metrics.requests.labelValues(provider, model, operation, outcome).inc();
        if (error != null) {
            metrics.errors.labelValues(provider, model, error.kind().label()).inc();
        }
    }

    private void countTokens(String provider, String model, Usage usage) {
        if (usage != null) {
            metrics.tokens.labelValues(provider, model, "prompt").inc(usage.promptTokens());
            metrics.tokens.labelValues(provider, model, "completion").inc(usage.completionTokens());
        }
    }

    /** A chunk's usage: absent or null on every chunk but the last, when the client asked for it. */
    private static Usage usageOf(JsonNode usage) {
        if (usage == null || !usage.isObject()) {
            return null;
        }
        return Usage.of(
                usage.path("prompt_tokens").asLong(0),
                usage.path("completion_tokens").asLong(0));
    }

    /** A provider's native Messages API with the same measurements as its chat. */
    private final class MeasuredMessages implements NativeMessages {

        private final NativeMessages inner;

        MeasuredMessages(NativeMessages inner) {
            this.inner = inner;
        }

        @Override
        public CompletableFuture<Reply> create(Call call) {
            return measure("messages", call.model(), () -> inner.create(call), Reply::usage);
        }

        @Override
        public StreamHandle stream(Call call, StreamObserver<Event> observer) {
            // Each usage event carries the running total, so only the last one may be counted.
            var measured = new MeasuredStream<>(observer, "messages_stream", call.model(), event -> null);
            var total = new StreamObserver<Event>() {
                private Usage usage;

                @Override
                public void onNext(Event event) {
                    if (event.usage() != null) {
                        usage = event.usage();
                    }
                    measured.onNext(event);
                }

                @Override
                public void onComplete() {
                    InstrumentedProvider.this.countTokens(delegate.name(), measured.model, usage);
                    measured.onComplete();
                }

                @Override
                public void onError(ProviderException error) {
                    InstrumentedProvider.this.countTokens(delegate.name(), measured.model, usage);
                    measured.onError(error);
                }
            };
            return measured.start(inner.stream(call, total));
        }

        @Override
        public CompletableFuture<Reply> countTokens(Call call) {
            return measure("count_tokens", call.model(), () -> inner.countTokens(call), reply -> null);
        }
    }

    /** A Responses API usage object ({@code input_tokens}, {@code output_tokens}), or null. */
    private static Usage responsesUsage(JsonNode usage) {
        if (usage == null || !usage.isObject()) {
            return null;
        }
        return Usage.of(
                usage.path("input_tokens").asLong(0),
                usage.path("output_tokens").asLong(0));
    }

    /** Watches one stream: first chunk, usage, and how it ended (completed, failed, abandoned). */
    private final class MeasuredStream<T> implements StreamObserver<T> {

        private final StreamObserver<T> downstream;
        private final String operation;
        private final String model;
        private final Function<T, Usage> usage;
        private final String provider = delegate.name();
        private final long start = System.nanoTime();
        private final AtomicBoolean finished = new AtomicBoolean();
        private boolean first = true;

        MeasuredStream(StreamObserver<T> downstream, String operation, String model, Function<T, Usage> usage) {
            this.downstream = downstream;
            this.operation = operation;
            this.model = modelLabel(model);
            this.usage = usage;
            metrics.inFlight.labelValues(provider, this.model).inc();
        }

        StreamHandle start(StreamHandle handle) {
            return new StreamHandle() {
                @Override
                public void cancel() {
                    cancel(new java.util.concurrent.CancellationException("the client left"));
                }

                @Override
                public void cancel(Throwable reason) {
                    end(ProviderException.from(reason, provider));
                    handle.cancel(reason);
                }
            };
        }

        @Override
        public void onNext(T item) {
            if (first) {
                first = false;
                metrics.timeToFirstToken.labelValues(provider, model).observe((System.nanoTime() - start) / 1e9);
            }
            countTokens(provider, model, usage.apply(item));
            downstream.onNext(item);
        }

        @Override
        public void onComplete() {
            end(null);
            downstream.onComplete();
        }

        @Override
        public void onError(ProviderException error) {
            end(error);
            downstream.onError(error);
        }

        private void end(ProviderException error) {
            if (finished.compareAndSet(false, true)) {
                metrics.inFlight.labelValues(provider, model).dec();
                finished(provider, model, operation, start, error);
            }
        }
    }
}
