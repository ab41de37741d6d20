package io.switchboard.routing;

import io.switchboard.provider.ProviderException;
import io.switchboard.provider.ProviderException.Kind;
import io.switchboard.provider.StreamHandle;
import io.switchboard.provider.StreamObserver;
import io.switchboard.registry.ProviderState;
import io.switchboard.registry.ProviderStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@link RouteExecutor} tells a {@link CallTracer.Trace}: one attempt per retry and per
 * fallback, numbered across the call, each started inside its own {@link CallTracer.Attempt}
 * (where tracing makes the attempt's context current) and ended exactly once, with why.
 */
class RouteExecutorTracingTest {

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final RouteExecutor executor = new RouteExecutor(
            scheduler,
            new RouteSettings(Duration.ofSeconds(5), Duration.ofSeconds(5)),
            new ResiliencePolicies(name -> ProviderPolicy.DEFAULT),
            RouteEvents.NONE);
    private final Target first = target("first");
    private final Target second = target("second");
    private final Recorder trace = new Recorder();

    @AfterEach
    void stopScheduler() {
        scheduler.shutdownNow();
    }

    @Test
    void aRetriedCallIsTwoAttemptsEachStartedInsideItsOwnAndEndedOnce() throws Exception {
        var calls = new java.util.concurrent.atomic.AtomicInteger();
        var served = executor.call("req-1", new Route("model", List.of(first)), trace, target -> {
                    trace.events.add("sent inside " + Recorder.CURRENT.get());
                    return calls.incrementAndGet() == 1
                            ? CompletableFuture.failedFuture(
                                    new ProviderException(Kind.UPSTREAM_5XX, "first", "overloaded"))
                            : CompletableFuture.completedFuture("answer");
                })
                .get(5, TimeUnit.SECONDS);

        assertThat(served.value()).isEqualTo("answer");
        assertThat(trace.events)
                .containsExactly(
                        "attempt 1 at first",
                        "sent inside 1",
                        "ended 1: upstream_5xx",
                        "attempt 2 at first",
                        "sent inside 2",
                        "ended 2: ok");
    }

    @Test
    void aStreamThatFallsBackIsOneAttemptPerTargetAndItsAttemptEndsWithTheStream() {
        var client = new Sink();

        executor.stream(
                "req-2",
                new Route("model", List.of(first, second)),
                trace,
                (Target target, StreamObserver<String> observer) -> {
                    if (target == first) {
                        observer.onError(new ProviderException(Kind.AUTHENTICATION, "first", "bad key"));
                    } else {
                        observer.onNext("Hello");
                        trace.events.add("streaming");
                        observer.onComplete();
                    }
                    return () -> {};
                },
                client);

        assertThat(trace.events)
                .containsExactly(
                        "attempt 1 at first",
                        "ended 1: authentication",
                        "attempt 2 at second",
                        "answered 2",
                        "streaming",
                        "ended 2: ok");
    }

    @Test
    void aStreamTheClientLeavesEndsItsAttemptAsCancelled() {
        var client = new Sink();
        StreamHandle handle = executor.stream(
                "req-3",
                new Route("model", List.of(first)),
                trace,
                (Target target, StreamObserver<String> observer) -> {
                    observer.onNext("Hello");
                    return () -> {};
                },
                client);

        handle.cancel();
        handle.cancel();

        assertThat(trace.events).containsExactly("attempt 1 at first", "answered 1", "ended 1: cancelled");
    }

    private static Target target(String provider) {
        return Target.of(
                new ProviderState(
                        provider, "test", "http://127.0.0.1:1", null, ProviderStatus.UP, List.of(), null, null, null),
                "model");
    }

    /** Records what the executor tells it; {@link #CURRENT} is the attempt whose start is running. */
    private static final class Recorder implements CallTracer.Trace {

        static final ThreadLocal<Integer> CURRENT = new ThreadLocal<>();
        final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public CallTracer.Attempt attempt(Target target, int number) {
            events.add("attempt " + number + " at " + target.providerName());
            return new CallTracer.Attempt() {
                private boolean ended;

                @Override
                public void start(Runnable start) {
                    CURRENT.set(number);
                    try {
                        start.run();
                    } finally {
                        CURRENT.remove();
                    }
                }

                @Override
                public void answered() {
                    events.add("answered " + number);
                }

                @Override
                public void ended(ProviderException failure) {
                    assertThat(ended).as("attempt %d ended twice", number).isFalse();
                    ended = true;
                    events.add("ended " + number + ": "
                            + (failure == null ? "ok" : failure.kind().label()));
                }
            };
        }
    }

    private static final class Sink implements RouteStreamObserver<String> {

        @Override
        public void onCommit(Target target, long upstreamNanos, int attempts) {}

        @Override
        public void onNext(String item) {}

        @Override
        public void onComplete() {}

        @Override
        public void onError(ProviderException error) {}
    }
}
