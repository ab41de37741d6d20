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
import io.switchboard.api.Usage;
import io.switchboard.provider.Capability;
import io.switchboard.provider.Provider;
import io.switchboard.provider.ProviderException;
import io.switchboard.provider.StreamHandle;
import io.switchboard.provider.StreamObserver;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * The one way a request reaches a provider, whatever API it came in by: resolve the model the
 * client named to a route, rewrite the request for each target's upstream model, execute along
 * the route (retry, fallback, breakers, deadline, commit point), and restore the client's model
 * id on what comes back. Resources, the CLI and every later ingress call these methods; none
 * builds its own attempt. The {@link CallObserver} hears of every call's start and end, so the
 * accounts (ledger, budgets, limits) are kept in one place too.
 *
 * <p>Each method throws an {@link io.switchboard.api.ApiException} at once when the model
 * resolves to nothing (404 {@code model_not_found}) or the observer refuses the call; everything
 * after that arrives through the returned future or the observer.
 */
public final class RoutedCalls {

    private final ModelRouter router;
    private final RouteExecutor executor;
    private final CallObserver observer;
    private final CallTracer tracer;

    public RoutedCalls(ModelRouter router, RouteExecutor executor, CallObserver observer) {
        this(router, executor, observer, CallTracer.NONE);
    }

    /** @param tracer told of each call's attempts and answer (tracing); {@link CallTracer#NONE} for none */
    public RoutedCalls(ModelRouter router, RouteExecutor executor, CallObserver observer, CallTracer tracer) {
        this.router = router;
        this.executor = executor;
        this.observer = observer;
        this.tracer = tracer;
    }

    public CompletableFuture<Served<ChatCompletionResponse>> chat(Caller caller, ChatCompletionRequest request) {
        var route = router.resolve(request.model(), Capability.CHAT);
        return routed(
                caller,
                route,
                request,
                target -> provider(target).chat(request.withModel(target.upstreamModel())),
                response -> response.withModel(route.requestedModel()),
                ChatCompletionResponse::usage);
    }

    public StreamHandle streamChat(
            Caller caller, ChatCompletionRequest request, RouteStreamObserver<ChatCompletionChunk> downstream) {
        var route = router.resolve(request.model(), Capability.CHAT);
        String model = route.requestedModel();
        // Usage is asked of the upstream even when the client did not ask, so every stream's tokens
        // are known; the client then sees the stream it asked for.
        boolean addUsage = observer.wantsUsage() && !request.wantsUsageInStream();
        var sent = addUsage ? request.withUsageInStream() : request;
        return routedStream(
                caller,
                route,
                request,
                (target, attempt) -> provider(target).streamChat(sent.withModel(target.upstreamModel()), attempt),
                downstream,
                chunk -> chunk.withModel(model),
                ChatCompletionChunk::carriesOutput,
                ChatCompletionChunk::reportedUsage,
                addUsage ? ChatCompletionChunk::withoutUsage : UnaryOperator.identity());
    }

    public CompletableFuture<Served<CompletionResponse>> completions(Caller caller, CompletionRequest request) {
        var route = router.resolve(request.model(), Capability.COMPLETIONS);
        return routed(
                caller,
                route,
                request,
                target -> provider(target).completions(request.withModel(target.upstreamModel())),
                response -> response.withModel(route.requestedModel()),
                CompletionResponse::usage);
    }

    public StreamHandle streamCompletions(
            Caller caller, CompletionRequest request, RouteStreamObserver<CompletionResponse> downstream) {
        var route = router.resolve(request.model(), Capability.COMPLETIONS);
        String model = route.requestedModel();
        boolean addUsage = observer.wantsUsage() && !request.wantsUsageInStream();
        var sent = addUsage ? request.withUsageInStream() : request;
        return routedStream(
                caller,
                route,
                request,
                (target, attempt) ->
                        provider(target).streamCompletions(sent.withModel(target.upstreamModel()), attempt),
                downstream,
                chunk -> chunk.withModel(model),
                CompletionResponse::carriesOutput,
                CompletionResponse::usage,
                addUsage ? CompletionResponse::withoutUsage : UnaryOperator.identity());
    }

    public CompletableFuture<Served<EmbeddingResponse>> embeddings(Caller caller, EmbeddingRequest request) {
        var route = router.resolve(request.model(), Capability.EMBEDDINGS);
        return routed(
                caller,
                route,
                request,
                target -> provider(target).embeddings(request.withModel(target.upstreamModel())),
                response -> response.withModel(route.requestedModel()),
                response -> response.usage() == null
                        ? null
                        : Usage.of(response.usage().promptTokens(), 0));
    }

    /** Images carry no model id, so there is nothing to restore, and no token usage. */
    public CompletableFuture<Served<ImageResponse>> images(Caller caller, ImageRequest request) {
        var route = router.resolve(request.model(), Capability.IMAGES);
        return routed(
                caller,
                route,
                request,
                target -> provider(target).images(request.withModel(target.upstreamModel())),
                UnaryOperator.identity(),
                response -> null);
    }

    /**
     * The route a model id names for {@code capability}, for an ingress that speaks another API
     * (Anthropic Messages, OpenAI Responses) and calls {@link #call} or {@link #stream} with it.
     * Throws 404 {@code model_not_found} when it names nothing.
     */
    public Route resolve(String model, Capability capability) {
        return router.resolve(model, capability);
    }

    /**
     * A call of any API along {@code route}: {@code attempt} is what one target does (pass the
     * body through when the upstream speaks the client's API, or translate it to chat and back),
     * so an ingress gets the same retries, fallbacks, breakers, deadline and accounts as chat.
     *
     * @param request what the accounts estimate the call's cost from (a chat request for a
     *                translated API)
     * @param usage   the usage a response reports, null when it reports none
     */
    public <T> CompletableFuture<Served<T>> call(
            Caller caller,
            Route route,
            Object request,
            Function<Target, CompletableFuture<T>> attempt,
            Function<T, Usage> usage) {
        return routed(caller, route, request, attempt, UnaryOperator.identity(), usage);
    }

    /**
     * A stream of any API along {@code route}, with the same commit point as chat: items for
     * which {@code commits} is false are held back (and a failure after them still falls back).
     * Whether the upstream is asked for usage is up to {@code attempt}: a translated stream
     * should ask when {@link #wantsUsage()} says so.
     *
     * @param usageOf the usage an item reports, null when it reports none (the last one counts)
     */
    public <T> StreamHandle stream(
            Caller caller,
            Route route,
            Object request,
            BiFunction<Target, StreamObserver<T>, StreamHandle> attempt,
            RouteStreamObserver<T> downstream,
            Predicate<T> commits,
            Function<T, Usage> usageOf) {
        return routedStream(
                caller,
                route,
                request,
                attempt,
                downstream,
                UnaryOperator.identity(),
                commits,
                usageOf,
                UnaryOperator.identity());
    }

    /** Whether the accounts want every stream's usage, asked of the upstream if need be. */
    public boolean wantsUsage() {
        return observer.wantsUsage();
    }

    private static Provider provider(Target target) {
        return target.state().provider();
    }

    /** Every routed call: begun with the tracer and the accounts, executed, then told how it ended. */
    private <T> CompletableFuture<Served<T>> routed(
            Caller caller,
            Route route,
            Object request,
            Function<Target, CompletableFuture<T>> attempt,
            UnaryOperator<T> restore,
            Function<T, Usage> usage) {
        var begun = begin(caller, route, false, request);
        return tracked(begun, executor.call(caller.requestId(), route, begun.trace(), attempt), restore, usage);
    }

    /** Every routed stream, the same way; {@code forClient} returns null for an item to drop. */
    private <T> StreamHandle routedStream(
            Caller caller,
            Route route,
            Object request,
            BiFunction<Target, StreamObserver<T>, StreamHandle> attempt,
            RouteStreamObserver<T> downstream,
            UnaryOperator<T> restore,
            Predicate<T> commits,
            Function<T, Usage> usageOf,
            UnaryOperator<T> forClient) {
        var begun = begin(caller, route, true, request);
        var stream = new TrackedStream<>(downstream, begun, restore, commits, usageOf, forClient);
        return stream.watch(executor.stream(caller.requestId(), route, begun.trace(), attempt, stream));
    }

    /** The two that hear of one call: the accounts' track and the tracer's trace. */
    private record Begun(CallObserver.Track track, CallTracer.Trace trace) {}

    /**
     * Begins a call with the tracer, then the accounts; a refusal by the accounts (a spent budget)
     * ends the trace with it.
     */
    private Begun begin(Caller caller, Route route, boolean streamed, Object request) {
        var trace = tracer.begin(caller, route, streamed, request);
        try {
            return new Begun(observer.begin(caller, route, streamed, request), trace);
        } catch (RuntimeException refused) {
            trace.ended(null, 0, null, refused);
            throw refused;
        }
    }

    /**
     * The caller's future, with the client's model id restored, and the track told how the call
     * ended. Cancelling it (the client left) cancels the routed call beneath, which aborts the
     * attempt in flight.
     */
    private static <T> CompletableFuture<Served<T>> tracked(
            Begun begun, CompletableFuture<Served<T>> call, UnaryOperator<T> restore, Function<T, Usage> usage) {
        var track = begun.track();
        var trace = begun.trace();
        // The trace hears of the end before the client is answered, so it is complete when the
        // request that carries it ends.
        var traced = call.whenComplete((served, failure) -> {
            if (failure == null) {
                trace.answered(served.value());
                trace.ended(served.target(), served.attempts(), usage.apply(served.value()), null);
            } else {
                trace.ended(null, ProviderException.from(failure, null).attempts(), null, failure);
            }
        });
        var restored = traced.thenApply(served -> served.withValue(restore.apply(served.value())));
        call.whenComplete((served, failure) -> {
            if (failure == null) {
                track.ended(served.target(), served.attempts(), usage.apply(served.value()), null, false);
            } else {
                var error = ProviderException.from(failure, null);
                track.ended(null, error.attempts(), null, error, restored.isCancelled());
            }
        });
        restored.whenComplete((value, failure) -> {
            if (restored.isCancelled()) {
                call.cancel(false);
            }
        });
        return restored;
    }

    /**
     * Passes a stream on with the client's model id restored on every item, keeps the usage it
     * reports, and tells the track how it ended: completed, failed, or left by the client.
     */
    private static final class TrackedStream<T> implements RouteStreamObserver<T> {

        private final RouteStreamObserver<T> downstream;
        private final CallObserver.Track track;
        private final CallTracer.Trace trace;
        private final UnaryOperator<T> restore;
        private final Predicate<T> commits;
        private final Function<T, Usage> usageOf;
        private final UnaryOperator<T> forClient;
        private final AtomicBoolean ended = new AtomicBoolean();
        private volatile Target target;
        private volatile int attempts;
        private volatile Usage usage;

        /** @param forClient the item as the client asked for it; null drops it */
        TrackedStream(
                RouteStreamObserver<T> downstream,
                Begun begun,
                UnaryOperator<T> restore,
                Predicate<T> commits,
                Function<T, Usage> usageOf,
                UnaryOperator<T> forClient) {
            this.downstream = downstream;
            this.track = begun.track();
            this.trace = begun.trace();
            this.restore = restore;
            this.commits = commits;
            this.usageOf = usageOf;
            this.forClient = forClient;
        }

        /** The handle the caller holds: cancelling it is the client leaving. */
        StreamHandle watch(StreamHandle handle) {
            return new StreamHandle() {
                @Override
                public void cancel() {
                    cancel(null);
                }

                @Override
                public void cancel(Throwable reason) {
                    end(null, true);
                    if (reason == null) {
                        handle.cancel();
                    } else {
                        handle.cancel(reason);
                    }
                }
            };
        }

        @Override
        public void onCommit(Target committed, long upstreamNanos, int attemptCount) {
            target = committed;
            attempts = attemptCount;
            track.firstToken();
            trace.firstItem();
            downstream.onCommit(committed, upstreamNanos, attemptCount);
        }

        @Override
        public boolean commits(T item) {
            return commits.test(item);
        }

        @Override
        public void onNext(T item) {
            Usage reported = usageOf.apply(item);
            if (reported != null) {
                usage = reported;
            }
            trace.answered(item);
            T shown = forClient.apply(item);
            if (shown == null) {
                return;
            }
            try {
                downstream.onNext(restore.apply(shown));
            } catch (RuntimeException clientGone) {
                end(null, true);
                throw clientGone;
            }
        }

        @Override
        public void onComplete() {
            end(null, false);
            downstream.onComplete();
        }

        @Override
        public void onError(ProviderException error) {
            end(error, false);
            downstream.onError(error);
        }

        private void end(ProviderException failure, boolean clientLeft) {
            if (ended.compareAndSet(false, true)) {
                int count = failure != null && failure.attempts() > 0 ? failure.attempts() : attempts;
                track.ended(target, count, usage, failure, clientLeft);
                trace.ended(
                        target,
                        count,
                        usage,
                        failure != null || !clientLeft ? failure : new CancellationException("the client left"));
            }
        }
    }
}
