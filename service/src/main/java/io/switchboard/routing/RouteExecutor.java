package io.switchboard.routing;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.switchboard.provider.ProviderException;
import io.switchboard.provider.ProviderException.Kind;
import io.switchboard.provider.StreamHandle;
import io.switchboard.provider.StreamObserver;
import io.switchboard.registry.ProviderStatus;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Runs a request along its route: orders the candidates (strategy, then providers known to be
 * down last), skips those whose circuit breaker is open (or tries the likeliest when all are),
 * retries transient failures with backoff and jitter (honouring Retry-After when it fits), falls
 * back to the next candidate, and bounds it all by one deadline.
 *
 * <p>Streams follow the same rules up to the commit point, the first chunk: before it a failure
 * is retried or falls back invisibly; after it, it ends the stream in-band. A started stream that
 * stays silent longer than {@code streamIdleTimeout} is ended too. Nothing waits on a thread:
 * backoffs and deadlines are timers.
 */
public final class RouteExecutor {

    /**
     * At most this many items are held back before the commit point; past it the stream commits
     * anyway, so an upstream that sends nothing but openers cannot grow the buffer.
     */
    private static final int MAX_HELD = 8;

    private final ScheduledExecutorService scheduler;
    private final RouteSettings settings;
    private final ResiliencePolicies policies;
    private final RouteEvents events;
    private final TargetStats stats = new TargetStats();

    public RouteExecutor(
            ScheduledExecutorService scheduler,
            RouteSettings settings,
            ResiliencePolicies policies,
            RouteEvents events) {
        this.scheduler = scheduler;
        this.settings = settings;
        this.policies = policies;
        this.events = events;
    }

    /** Calls {@code attempt} along the route until one succeeds; cancelling the result aborts the call. */
    public <T> CompletableFuture<Served<T>> call(Route route, Function<Target, CompletableFuture<T>> attempt) {
        return call(null, route, attempt);
    }

    /** The same, for the request {@code requestId} (named in what routing reports). */
    public <T> CompletableFuture<Served<T>> call(
            String requestId, Route route, Function<Target, CompletableFuture<T>> attempt) {
        return call(requestId, route, CallTracer.Trace.NONE, attempt);
    }

    /** The same, with each attempt told to {@code trace}. */
    public <T> CompletableFuture<Served<T>> call(
            String requestId, Route route, CallTracer.Trace trace, Function<Target, CompletableFuture<T>> attempt) {
        var run = new CallRun<T>(requestId, route, trace, attempt);
        run.start();
        return run.result;
    }

    /** Streams along the route to {@code observer}; the handle abandons it (the client left). */
    public <T> StreamHandle stream(
            Route route, BiFunction<Target, StreamObserver<T>, StreamHandle> attempt, RouteStreamObserver<T> observer) {
        return stream(null, route, attempt, observer);
    }

    /** The same, for the request {@code requestId} (named in what routing reports). */
    public <T> StreamHandle stream(
            String requestId,
            Route route,
            BiFunction<Target, StreamObserver<T>, StreamHandle> attempt,
            RouteStreamObserver<T> observer) {
        return stream(requestId, route, CallTracer.Trace.NONE, attempt, observer);
    }

    /** The same, with each attempt told to {@code trace}. */
    public <T> StreamHandle stream(
            String requestId,
            Route route,
            CallTracer.Trace trace,
            BiFunction<Target, StreamObserver<T>, StreamHandle> attempt,
            RouteStreamObserver<T> observer) {
        var run = new StreamRun<>(requestId, route, trace, attempt, observer);
        run.start();
        return run::abandon;
    }

    /** Requests holding {@code target} right now (what least-busy routing reads). */
    int inFlight(Target target) {
        return stats.of(target).inFlight();
    }

    /** The candidates in the order to try them for one request. */
    List<Target> order(Route route) {
        var ordered = new ArrayList<>(route.targets());
        switch (route.strategy()) {
            case FALLBACK -> {
                // as configured
            }
            case WEIGHTED -> {
                // Efraimidis–Spirakis: sort by u^(1/w), a weighted random permutation in one pass.
                var random = ThreadLocalRandom.current();
                var keys = new java.util.IdentityHashMap<Target, Double>();
                ordered.forEach(target -> keys.put(target, Math.pow(random.nextDouble(), 1.0 / target.weight())));
                ordered.sort(Comparator.comparing(keys::get, Comparator.reverseOrder()));
            }
            case LEAST_BUSY ->
                ordered.sort(Comparator.comparingInt(target -> stats.of(target).inFlight()));
            case LOWEST_LATENCY ->
                ordered.sort(
                        Comparator.comparingDouble(target -> stats.of(target).latencyNanos()));
        }
        // Providers whose last probe failed go last, in their order (the sort is stable).
        ordered.sort(Comparator.comparing(target -> target.state().status() == ProviderStatus.DOWN));
        return ordered;
    }

    private ProviderException timeout(Target target) {
        String who = target != null ? target.providerName() : "the upstream";
        return new ProviderException(
                Kind.TIMEOUT,
                target != null ? target.providerName() : null,
                "No complete answer from " + who + " within the request timeout of "
                        + describe(settings.requestTimeout()));
    }

    private static String describe(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() + " ms";
    }

    private static <T> T safely(Supplier<T> start, Function<RuntimeException, T> onFailure) {
        try {
            return start.get();
        } catch (RuntimeException e) {
            return onFailure.apply(e);
        }
    }

    /**
     * The state of one request across its attempts. Methods that change it are synchronized:
     * attempts end on upstream threads, timers fire on the scheduler, the client leaves on its own.
     */
    private abstract class Run {

        final String requestId;
        final List<Target> plan;
        final long deadline;
        private final CallTracer.Trace trace;
        /** What the tracer holds of the attempt in flight; NONE between attempts. */
        private CallTracer.Attempt traced = CallTracer.Attempt.NONE;

        private final List<Target> skipped = new ArrayList<>();
        private ScheduledFuture<?> deadlineTimer;
        private ScheduledFuture<?> retryTimer;
        private int index = -1;
        private int attemptsOnTarget;
        int attempts;
        long upstreamNanos;
        long attemptStarted;
        Target current;
        private CircuitBreaker breaker;
        private boolean permitted;
        boolean finished;

        Run(String requestId, Route route, CallTracer.Trace trace) {
            this.requestId = requestId;
            this.trace = trace;
            this.plan = order(route);
            this.deadline = System.nanoTime() + settings.requestTimeout().toNanos();
        }

        final synchronized void start() {
            deadlineTimer =
                    scheduler.schedule(this::expire, settings.requestTimeout().toNanos(), TimeUnit.NANOSECONDS);
            advance(null);
        }

        /** Start one attempt at {@link #current}. */
        abstract void begin(Target target);

        /** Abort the attempt in flight, if any. */
        abstract void abortCurrent(Throwable reason);

        /** Hand the final failure to the caller. */
        abstract void deliver(ProviderException failure);

        /** Moves to the next candidate whose breaker lets it through. */
        final synchronized void advance(ProviderException cause) {
            Target from = current;
            int skippedBefore = skipped.size();
            while (++index < plan.size()) {
                Target candidate = plan.get(index);
                CircuitBreaker candidateBreaker = policies.breaker(candidate.providerName());
                if (candidateBreaker.tryAcquirePermission()) {
                    if (from != null) {
                        events.fellBack(from, candidate, cause);
                    }
                    // Candidates passed over because their breaker is open: a fallback too.
                    skipped.subList(skippedBefore, skipped.size())
                            .forEach(open -> events.fellBack(open, candidate, null));
                    attemptAt(candidate, candidateBreaker, true, 0);
                    return;
                }
                skipped.add(candidate);
            }
            if (attempts == 0 && !skipped.isEmpty()) {
                // Every breaker is open. Failing at once would turn one bad minute into an outage
                // for everyone; instead try the candidate most likely to answer.
                Target likeliest = skipped.stream()
                        .min(Comparator.comparingDouble(target -> policies.breaker(target.providerName())
                                .getMetrics()
                                .getFailureRate()))
                        .orElseThrow();
                attemptAt(likeliest, policies.breaker(likeliest.providerName()), false, 0);
                return;
            }
            finish(
                    cause != null
                            ? cause
                            : new ProviderException(Kind.CONNECT, null, "No provider could take the request"));
        }

        private void attemptAt(Target target, CircuitBreaker targetBreaker, boolean withPermission, int previous) {
            current = target;
            breaker = targetBreaker;
            permitted = withPermission;
            attemptsOnTarget = previous + 1;
            attempts++;
            attemptStarted = System.nanoTime();
            stats.of(target).started();
            traced = trace.attempt(target, attempts);
            traced.start(() -> begin(target));
        }

        /** Tells the tracer the attempt in flight ended, once; null: it answered. */
        private void endAttempt(ProviderException failure) {
            var ending = traced;
            traced = CallTracer.Attempt.NONE;
            ending.ended(failure);
        }

        /**
         * The attempt at {@code target} answered: record it. A stream answers at its first chunk
         * and stays in flight ({@code ended} false) until it ends.
         */
        final synchronized void attemptSucceeded(Target target, boolean ended) {
            long elapsed = System.nanoTime() - attemptStarted;
            upstreamNanos += elapsed;
            if (ended) {
                stats.of(target).finished();
                endAttempt(null);
            } else {
                traced.answered();
            }
            stats.of(target).measured(elapsed);
            if (permitted) {
                ResiliencePolicies.record(breaker, elapsed, null, false);
                permitted = false;
            }
        }

        /** The attempt at {@code target} failed: retry, fall back, or give up. */
        final synchronized void attemptFailed(Target target, ProviderException error) {
            if (target != current) {
                return; // a late failure of an attempt already replaced
            }
            long elapsed = System.nanoTime() - attemptStarted;
            upstreamNanos += elapsed;
            stats.of(target).finished();
            endAttempt(error);
            if (permitted) {
                ResiliencePolicies.record(breaker, elapsed, error, FailurePolicy.countsAgainstProvider(error.kind()));
                permitted = false;
            }
            if (finished) {
                return;
            }
            if (error.kind() != Kind.CANCELLED) {
                events.attemptFailed(requestId, target, attempts, error);
            }
            long remaining = deadline - System.nanoTime();
            switch (FailurePolicy.of(error.kind())) {
                case STOP -> finish(error);
                case NEXT -> advance(error);
                case RETRY -> {
                    RetryPolicy retry = policies.policy(target.providerName()).retry();
                    if (attemptsOnTarget >= retry.maxAttempts()) {
                        advance(error);
                        return;
                    }
                    long delay = retry.backoff(attemptsOnTarget, ThreadLocalRandom.current())
                            .toNanos();
                    if (error.retryAfter() != null) {
                        delay = Math.max(delay, error.retryAfter().toNanos());
                    }
                    boolean again = delay < remaining && breaker.tryAcquirePermission();
                    if (!again) {
                        advance(error); // Retry-After beyond the deadline, or the breaker opened
                        return;
                    }
                    events.retried(target, error);
                    int done = attemptsOnTarget;
                    upstreamNanos += delay; // waiting to retry is not the gateway's own time
                    retryTimer = scheduler.schedule(() -> retry(target, done), delay, TimeUnit.NANOSECONDS);
                }
            }
        }

        private synchronized void retry(Target target, int done) {
            if (!finished) {
                attemptAt(target, breaker, true, done);
            }
        }

        /** The deadline passed: abort whatever runs and report a timeout. */
        final synchronized void expire() {
            if (!finished) {
                var timeout = timeout(current);
                abortCurrent(timeout);
                finish(timeout);
            }
        }

        /** Ends the run with a failure, once. */
        final synchronized void finish(ProviderException failure) {
            if (close(failure)) {
                deliver(failure.attempts(attempts));
            }
        }

        /** Marks the run done without a failure to deliver (success). */
        final synchronized boolean close() {
            return close(null);
        }

        /**
         * Marks the run done, once; {@code reason} is why an attempt still in flight ends (null: a
         * started stream that completed).
         */
        final synchronized boolean close(ProviderException reason) {
            if (finished) {
                return false;
            }
            finished = true;
            stopTimers();
            endAttempt(reason);
            ended();
            return true;
        }

        /** Marks the run done because the client left, once. */
        final synchronized boolean closeAsLeft() {
            return !finished
                    && close(new ProviderException(
                            Kind.CANCELLED, current != null ? current.providerName() : null, "The client left"));
        }

        /** Called once when the run ends, however it ends. */
        void ended() {}

        private void stopTimers() {
            if (deadlineTimer != null) {
                deadlineTimer.cancel(false);
            }
            if (retryTimer != null) {
                retryTimer.cancel(false);
            }
        }
    }

    /** A non-streamed request. */
    private final class CallRun<T> extends Run {

        final CompletableFuture<Served<T>> result = new CompletableFuture<>();
        private final Function<Target, CompletableFuture<T>> attempt;
        private CompletableFuture<T> inFlight;

        CallRun(String requestId, Route route, CallTracer.Trace trace, Function<Target, CompletableFuture<T>> attempt) {
            super(requestId, route, trace);
            this.attempt = attempt;
            // The client left (or the caller gave up): abort the attempt in flight.
            result.whenComplete((value, failure) -> {
                if (result.isCancelled() && closeAsLeft()) {
                    abortCurrent(new CancellationException("the client left"));
                }
            });
        }

        @Override
        void begin(Target target) {
            CompletableFuture<T> future = safely(() -> attempt.apply(target), CompletableFuture::failedFuture);
            inFlight = future;
            future.whenComplete((value, failure) -> {
                if (failure == null) {
                    attemptSucceeded(target, true);
                    Served<T> served;
                    synchronized (this) {
                        served = close() ? new Served<>(value, target, upstreamNanos, attempts) : null;
                    }
                    if (served != null) {
                        result.complete(served);
                    }
                } else {
                    attemptFailed(target, ProviderException.from(failure, target.providerName()));
                }
            });
        }

        @Override
        void abortCurrent(Throwable reason) {
            if (inFlight != null) {
                // Failing the provider's own future aborts the upstream call; decorators see why.
                inFlight.completeExceptionally(reason);
            }
        }

        @Override
        void deliver(ProviderException failure) {
            result.completeExceptionally(failure);
        }
    }

    /** A streamed request. */
    private final class StreamRun<T> extends Run {

        private final BiFunction<Target, StreamObserver<T>, StreamHandle> attempt;
        private final RouteStreamObserver<T> downstream;
        private StreamHandle inFlight;
        private boolean committed;
        private volatile long lastEvent;
        private ScheduledFuture<?> idleTimer;

        StreamRun(
                String requestId,
                Route route,
                CallTracer.Trace trace,
                BiFunction<Target, StreamObserver<T>, StreamHandle> attempt,
                RouteStreamObserver<T> downstream) {
            super(requestId, route, trace);
            this.attempt = attempt;
            this.downstream = downstream;
        }

        @Override
        void begin(Target target) {
            var observer = new AttemptObserver(target);
            inFlight = safely(() -> attempt.apply(target, observer), e -> {
                observer.onError(ProviderException.from(e, target.providerName()));
                return () -> {};
            });
        }

        @Override
        void abortCurrent(Throwable reason) {
            if (inFlight != null) {
                inFlight.cancel(reason);
            }
        }

        @Override
        void deliver(ProviderException failure) {
            downstream.onError(failure);
        }

        @Override
        void ended() {
            stopIdleTimer();
            if (committed) {
                stats.of(current).finished(); // a started stream held its target until now
            }
        }

        /** The client went away: stop everything, tell nobody. */
        void abandon() {
            boolean wasRunning = closeAsLeft();
            if (wasRunning) {
                abortCurrent(new CancellationException("the client left"));
            }
        }

        private synchronized void stopIdleTimer() {
            if (idleTimer != null) {
                idleTimer.cancel(false);
            }
        }

        private void watchIdle(long delayNanos) {
            idleTimer = scheduler.schedule(this::checkIdle, delayNanos, TimeUnit.NANOSECONDS);
        }

        private synchronized void checkIdle() {
            if (finished) {
                return;
            }
            long idle = System.nanoTime() - lastEvent;
            long limit = settings.streamIdleTimeout().toNanos();
            if (idle < limit) {
                watchIdle(limit - idle);
                return;
            }
            var stalled = new ProviderException(
                    Kind.TIMEOUT,
                    current.providerName(),
                    "No event from " + current.providerName() + " for " + describe(settings.streamIdleTimeout())
                            + "; the stream was ended");
            abortCurrent(stalled);
            finish(stalled);
        }

        /** Sees one attempt's stream; only the attempt in flight may reach the client. */
        private final class AttemptObserver implements StreamObserver<T> {

            private final Target target;
            /** Items before the commit point that carry nothing of the answer yet. */
            private List<T> held;

            AttemptObserver(Target target) {
                this.target = target;
            }

            @Override
            public void onNext(T item) {
                List<T> release;
                synchronized (StreamRun.this) {
                    if (finished || target != current) {
                        throw new IllegalStateException("this stream was abandoned");
                    }
                    lastEvent = System.nanoTime();
                    if (committed) {
                        release = null;
                    } else if (!downstream.commits(item) && (held == null || held.size() < MAX_HELD)) {
                        if (held == null) {
                            held = new ArrayList<>(2);
                        }
                        held.add(item);
                        return;
                    } else {
                        release = commit();
                    }
                }
                try {
                    if (release != null) {
                        downstream.onCommit(target, upstreamNanos, attempts);
                        release.forEach(downstream::onNext);
                    }
                    downstream.onNext(item);
                } catch (RuntimeException clientGone) {
                    abandon();
                    throw clientGone;
                }
            }

            @Override
            public void onComplete() {
                List<T> release = null;
                synchronized (StreamRun.this) {
                    if (target != current) {
                        return;
                    }
                    if (finished) {
                        if (!committed) {
                            stats.of(target).finished(); // the run ended first (deadline); the target is free
                        }
                        return;
                    }
                    if (!committed) {
                        release = commit(); // a short or empty but proper stream
                    }
                }
                if (close()) {
                    if (release != null) {
                        downstream.onCommit(target, upstreamNanos, attempts);
                        release.forEach(downstream::onNext);
                    }
                    downstream.onComplete();
                }
            }

            /** The commit point: this attempt has answered. Returns the items held until now. */
            private List<T> commit() {
                committed = true;
                attemptSucceeded(target, false);
                watchIdle(settings.streamIdleTimeout().toNanos());
                List<T> release = held != null ? held : List.of();
                held = null;
                return release;
            }

            @Override
            public void onError(ProviderException error) {
                boolean afterCommit;
                synchronized (StreamRun.this) {
                    if (target != current) {
                        return;
                    }
                    afterCommit = committed;
                }
                if (afterCommit) {
                    finish(error); // in-band: the client already has bytes
                } else {
                    attemptFailed(target, error);
                }
            }
        }
    }
}
