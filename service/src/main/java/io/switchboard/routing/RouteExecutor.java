package io.switchboard.routing;

import io.switchboard.provider.ProviderException;
import io.switchboard.provider.ProviderException.Kind;
import io.switchboard.provider.StreamHandle;
import io.switchboard.provider.StreamObserver;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Runs a request along its route under one deadline ({@code requestTimeout}): when it passes,
 * the upstream call is aborted and the client gets a timeout. Today a route is tried at its first
 * target; this is the one place retries and fallbacks belong.
 */
public final class RouteExecutor {

    private final ScheduledExecutorService scheduler;
    private final Duration requestTimeout;

    public RouteExecutor(ScheduledExecutorService scheduler, Duration requestTimeout) {
        this.scheduler = scheduler;
        this.requestTimeout = requestTimeout;
    }

    /** Calls {@code attempt} for the route's target; cancelling the result aborts the call. */
    public <T> CompletableFuture<Served<T>> call(Route route, Function<Target, CompletableFuture<T>> attempt) {
        Target target = route.first();
        long started = System.nanoTime();
        CompletableFuture<T> upstream = start(() -> attempt.apply(target));
        var result = new CompletableFuture<Served<T>>();
        // Failing the provider's own future (not cancelling it) tells decorators it was a timeout.
        ScheduledFuture<?> deadline = scheduler.schedule(() -> upstream.completeExceptionally(timeout(target)),
                requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
        upstream.whenComplete((value, failure) -> {
            deadline.cancel(false);
            if (failure == null) {
                result.complete(new Served<>(value, target, System.nanoTime() - started));
            } else {
                result.completeExceptionally(ProviderException.from(failure, target.providerName()));
            }
        });
        result.whenComplete((value, failure) -> {
            if (result.isCancelled()) {
                upstream.cancel(true);
            }
        });
        return result;
    }

    /** Streams from the route's target to {@code observer}, under the deadline. */
    public <T> StreamHandle stream(Route route, BiFunction<Target, StreamObserver<T>, StreamHandle> attempt,
                                   RouteStreamObserver<T> observer) {
        Target target = route.first();
        var guarded = new DeadlineObserver<>(observer, target);
        guarded.deadline = scheduler.schedule(() -> guarded.expire(timeout(target)),
                requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
        try {
            guarded.upstream = attempt.apply(target, guarded);
        } catch (RuntimeException e) {
            guarded.onError(ProviderException.from(e, target.providerName()));
        }
        return guarded::cancel;
    }

    private ProviderException timeout(Target target) {
        return new ProviderException(Kind.TIMEOUT, target.providerName(), "No complete answer from "
                + target.providerName() + " within the request timeout of " + describe(requestTimeout));
    }

    private static String describe(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() + " ms";
    }

    private static <T> CompletableFuture<T> start(java.util.function.Supplier<CompletableFuture<T>> call) {
        try {
            return call.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Passes a stream on, ending it exactly once: by the upstream, the deadline, or a cancel. */
    private static final class DeadlineObserver<T> implements StreamObserver<T> {

        private final RouteStreamObserver<T> downstream;
        private final Target target;
        private final AtomicBoolean finished = new AtomicBoolean();
        private final long started = System.nanoTime();
        private boolean committed;
        volatile ScheduledFuture<?> deadline;
        volatile StreamHandle upstream;

        DeadlineObserver(RouteStreamObserver<T> downstream, Target target) {
            this.downstream = downstream;
            this.target = target;
        }

        @Override
        public void onNext(T item) {
            if (finished.get()) {
                throw new IllegalStateException("stream already finished");
            }
            if (!committed) {
                committed = true;
                downstream.onCommit(target, System.nanoTime() - started);
            }
            downstream.onNext(item);
        }

        @Override
        public void onComplete() {
            if (finished.compareAndSet(false, true)) {
                deadline.cancel(false);
                downstream.onComplete();
            }
        }

        @Override
        public void onError(ProviderException error) {
            if (finished.compareAndSet(false, true)) {
                ScheduledFuture<?> timer = deadline;
                if (timer != null) {
                    timer.cancel(false);
                }
                downstream.onError(error);
            }
        }

        void expire(ProviderException timeout) {
            if (finished.compareAndSet(false, true)) {
                abortUpstream(timeout);
                downstream.onError(timeout);
            }
        }

        void cancel() {
            if (finished.compareAndSet(false, true)) {
                deadline.cancel(false);
            }
            abortUpstream(new CancellationException("the client left"));
        }

        private void abortUpstream(Throwable reason) {
            StreamHandle handle = upstream;
            if (handle != null) {
                handle.cancel(reason);
            }
        }
    }
}
