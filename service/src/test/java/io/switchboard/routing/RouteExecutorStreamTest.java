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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BiFunction;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The stream commit point in {@link RouteExecutor}: items that carry nothing of the answer are
 * held back, so a failure right after them still moves to the next target, and every way a
 * stream ends gives its target back. Upstreams are scripted in-process; the HTTP paths are in the
 * integration tests.
 */
class RouteExecutorStreamTest {

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final RouteExecutor executor = new RouteExecutor(
            scheduler,
            new RouteSettings(Duration.ofSeconds(5), Duration.ofSeconds(5)),
            new ResiliencePolicies(name -> ProviderPolicy.DEFAULT),
            RouteEvents.NONE);
    private final Target first = target("first");
    private final Target second = target("second");

    @AfterEach
    void stopScheduler() {
        scheduler.shutdownNow();
    }

    @Test
    void anEmptyStreamCommitsToItsTargetAndGivesItBack() {
        var client = new Client();

        executor.stream(route(first), script(List.of()), client);

        assertThat(client.events).containsExactly("commit first", "complete");
        assertThat(executor.inFlight(first)).isZero();
    }

    @Test
    void openersAreHeldSoAFailureAfterThemFallsBack() {
        var client = new Client();
        BiFunction<Target, StreamObserver<String>, StreamHandle> upstreams = (target, observer) -> {
            if (target == first) {
                observer.onNext("opener from first");
                observer.onError(new ProviderException(Kind.AUTHENTICATION, "first", "bad key"));
            } else {
                observer.onNext("opener from second");
                observer.onNext("Hello");
                observer.onComplete();
            }
            return () -> {};
        };

        executor.stream(route(first, second), upstreams, client);

        assertThat(client.events).containsExactly("commit second", "opener from second", "Hello", "complete");
        assertThat(executor.inFlight(first)).isZero();
        assertThat(executor.inFlight(second)).isZero();
    }

    @Test
    void aFailureAfterTheAnswerBeganIsTheClientsToSee() {
        var client = new Client();
        BiFunction<Target, StreamObserver<String>, StreamHandle> upstreams = (target, observer) -> {
            observer.onNext("opener");
            observer.onNext("Hello");
            observer.onError(new ProviderException(Kind.AUTHENTICATION, target.providerName(), "gone"));
            return () -> {};
        };

        executor.stream(route(first, second), upstreams, client);

        assertThat(client.events).containsExactly("commit first", "opener", "Hello", "error gone");
        assertThat(executor.inFlight(first)).isZero();
    }

    @Test
    void aStreamOfNothingButOpenersCommitsAfterEight() {
        var client = new Client();
        var openers = new ArrayList<String>();
        for (int i = 1; i <= 9; i++) {
            openers.add("opener " + i);
        }

        executor.stream(route(first), script(openers), client);

        assertThat(client.events.get(0)).isEqualTo("commit first");
        assertThat(client.events.subList(1, 10)).containsExactlyElementsOf(openers);
        assertThat(client.events.get(10)).isEqualTo("complete");
        assertThat(executor.inFlight(first)).isZero();
    }

    @Test
    void openersFollowedByTheEndAreDeliveredAsAShortStream() {
        var client = new Client();

        executor.stream(route(first), script(List.of("opener")), client);

        assertThat(client.events).containsExactly("commit first", "opener", "complete");
        assertThat(executor.inFlight(first)).isZero();
    }

    /** Every target answers with {@code items}, then ends. */
    private static BiFunction<Target, StreamObserver<String>, StreamHandle> script(List<String> items) {
        return (target, observer) -> {
            items.forEach(observer::onNext);
            observer.onComplete();
            return () -> {};
        };
    }

    private static Route route(Target... targets) {
        return new Route("model", List.of(targets), Strategy.FALLBACK);
    }

    private static Target target(String provider) {
        return Target.of(
                new ProviderState(
                        provider, "test", "http://127.0.0.1:1", null, ProviderStatus.UP, List.of(), null, null, null),
                "model");
    }

    /** The client side: records what reaches it. Only items that start "opener" do not commit. */
    private static final class Client implements RouteStreamObserver<String> {

        final List<String> events = new ArrayList<>();

        @Override
        public boolean commits(String item) {
            return !item.startsWith("opener");
        }

        @Override
        public void onCommit(Target target, long upstreamNanos, int attempts) {
            events.add("commit " + target.providerName());
        }

        @Override
        public void onNext(String item) {
            events.add(item);
        }

        @Override
        public void onComplete() {
            events.add("complete");
        }

        @Override
        public void onError(ProviderException error) {
            events.add("error " + error.getMessage());
        }
    }
}
