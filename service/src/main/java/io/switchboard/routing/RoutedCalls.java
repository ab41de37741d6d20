package io.switchboard.routing;

import io.switchboard.api.ChatCompletionChunk;
import io.switchboard.api.ChatCompletionRequest;
import io.switchboard.api.ChatCompletionResponse;
import io.switchboard.api.CompletionRequest;
import io.switchboard.api.CompletionResponse;
import io.switchboard.api.EmbeddingRequest;
import io.switchboard.api.EmbeddingResponse;
import io.switchboard.api.ImageRequest;
import io.switchboard.api.ImageResponse;
import io.switchboard.provider.Capability;
import io.switchboard.provider.Provider;
import io.switchboard.provider.ProviderException;
import io.switchboard.provider.StreamHandle;

import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * The one way a request reaches a provider, whatever API it came in by: resolve the model the
 * client named to a route, rewrite the request for each target's upstream model, execute along
 * the route (retry, fallback, breakers, deadline, commit point), and restore the client's model
 * id on what comes back. Resources, the CLI and every later ingress call these methods; none
 * builds its own attempt.
 *
 * <p>Each method throws an {@link io.switchboard.api.ApiException} (404 {@code model_not_found})
 * at once when the model resolves to nothing; everything after that arrives through the returned
 * future or the observer.
 */
public final class RoutedCalls {

    private final ModelRouter router;
    private final RouteExecutor executor;

    public RoutedCalls(ModelRouter router, RouteExecutor executor) {
        this.router = router;
        this.executor = executor;
    }

    public CompletableFuture<Served<ChatCompletionResponse>> chat(ChatCompletionRequest request) {
        var route = router.resolve(request.model(), Capability.CHAT);
        return restore(executor.call(route, target -> provider(target).chat(request.withModel(target.upstreamModel()))),
                response -> response.withModel(route.requestedModel()));
    }

    public StreamHandle streamChat(ChatCompletionRequest request, RouteStreamObserver<ChatCompletionChunk> observer) {
        var route = router.resolve(request.model(), Capability.CHAT);
        String model = route.requestedModel();
        return executor.stream(route,
                (target, attempt) -> provider(target).streamChat(request.withModel(target.upstreamModel()), attempt),
                new Restoring<>(observer, chunk -> chunk.withModel(model), ChatCompletionChunk::carriesOutput));
    }

    public CompletableFuture<Served<CompletionResponse>> completions(CompletionRequest request) {
        var route = router.resolve(request.model(), Capability.COMPLETIONS);
        return restore(executor.call(route,
                        target -> provider(target).completions(request.withModel(target.upstreamModel()))),
                response -> response.withModel(route.requestedModel()));
    }

    public StreamHandle streamCompletions(CompletionRequest request, RouteStreamObserver<CompletionResponse> observer) {
        var route = router.resolve(request.model(), Capability.COMPLETIONS);
        String model = route.requestedModel();
        return executor.stream(route,
                (target, attempt) -> provider(target).streamCompletions(request.withModel(target.upstreamModel()),
                        attempt),
                new Restoring<>(observer, chunk -> chunk.withModel(model), CompletionResponse::carriesOutput));
    }

    public CompletableFuture<Served<EmbeddingResponse>> embeddings(EmbeddingRequest request) {
        var route = router.resolve(request.model(), Capability.EMBEDDINGS);
        return restore(executor.call(route,
                        target -> provider(target).embeddings(request.withModel(target.upstreamModel()))),
                response -> response.withModel(route.requestedModel()));
    }

    /** Images carry no model id, so there is nothing to restore. */
    public CompletableFuture<Served<ImageResponse>> images(ImageRequest request) {
        var route = router.resolve(request.model(), Capability.IMAGES);
        return executor.call(route, target -> provider(target).images(request.withModel(target.upstreamModel())));
    }

    private static Provider provider(Target target) {
        return target.state().provider();
    }

    /**
     * The caller's future, with the client's model id restored. Cancelling it (the client left)
     * cancels the routed call beneath, which aborts the attempt in flight.
     */
    private static <T> CompletableFuture<Served<T>> restore(CompletableFuture<Served<T>> call, UnaryOperator<T> restore) {
        var restored = call.thenApply(served -> served.withValue(restore.apply(served.value())));
        restored.whenComplete((value, failure) -> {
            if (restored.isCancelled()) {
                call.cancel(false);
            }
        });
        return restored;
    }

    /** Passes a stream on with the client's model id restored on every item. */
    private record Restoring<T>(RouteStreamObserver<T> downstream, UnaryOperator<T> restore, Predicate<T> commits)
            implements RouteStreamObserver<T> {

        @Override
        public void onCommit(Target target, long upstreamNanos, int attempts) {
            downstream.onCommit(target, upstreamNanos, attempts);
        }

        @Override
        public boolean commits(T item) {
            return commits.test(item);
        }

        @Override
        public void onNext(T item) {
            downstream.onNext(restore.apply(item));
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
}
