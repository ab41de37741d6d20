package io.switchboard.routing;

import io.switchboard.registry.ProviderState;
import io.switchboard.registry.ProviderStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lowest-latency strategy: targets not yet measured are tried first (so each gets measured),
 * then the one with the lowest moving-average latency leads.
 */
class LowestLatencyTest {

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final RouteExecutor executor = new RouteExecutor(
            scheduler,
            new RouteSettings(Duration.ofSeconds(5), Duration.ofSeconds(5)),
            new ResiliencePolicies(name -> ProviderPolicy.DEFAULT),
            RouteEvents.NONE);

    @AfterEach
    void stopScheduler() {
        scheduler.shutdownNow();
    }

    @Test
    void theFasterTargetLeadsOnceBothAreMeasured() throws Exception {
        Target slow = target("slow");
        Target fast = target("fast");
        var route = new Route("model", List.of(slow, fast), Strategy.LOWEST_LATENCY);
        var served = new ArrayList<String>();

        for (int i = 0; i < 5; i++) {
            served.add(executor.call(route, target -> answerAfter(target == slow ? 40 : 1, target.providerName()))
                    .get(5, TimeUnit.SECONDS)
                    .target()
                    .providerName());
        }

        // slow is tried first while neither is measured, fast next while it is not; fast from then on.
        assertThat(served).containsExactly("slow", "fast", "fast", "fast", "fast");
        assertThat(executor.order(route)).containsExactly(fast, slow);
    }

    private CompletableFuture<String> answerAfter(long millis, String answer) {
        var future = new CompletableFuture<String>();
        scheduler.schedule(() -> future.complete(answer), millis, TimeUnit.MILLISECONDS);
        return future;
    }

    private static Target target(String provider) {
        return Target.of(
                new ProviderState(
                        provider, "test", "http://127.0.0.1:1", null, ProviderStatus.UP, List.of(), null, null, null),
                "model");
    }
}
