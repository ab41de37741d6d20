package io.switchboard.cluster;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.switchboard.api.ApiException;
import io.switchboard.routing.BreakerSettings;
import io.switchboard.routing.ProviderPolicy;
import io.switchboard.routing.ResiliencePolicies;
import io.switchboard.routing.RetryPolicy;
import io.switchboard.testing.RedisServer;
import io.switchboard.usage.Budget;
import io.switchboard.usage.BudgetBook;
import io.switchboard.usage.BudgetPeriod;
import io.switchboard.usage.CallLimits;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The shared limits against a real redis-server: two "instances" (two connections, two books)
 * share one allowance; the script is all or nothing; settlements charge what was used; the
 * failure policies hold while Redis is down, and sharing comes back without a restart.
 */
class SharedLimitsTest {

    /** The bound of the slow-Redis test; the others allow more, for a loaded build machine. */
    private static final Duration TIMEOUT = Duration.ofMillis(50);

    private static final Duration RELAXED = Duration.ofMillis(500);
    private static RedisServer redis;
    private static ScheduledExecutorService scheduler;
    private final List<RedisLink> links = new ArrayList<>();

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start();
        scheduler = Executors.newScheduledThreadPool(2);
    }

    @AfterAll
    static void stopRedis() {
        scheduler.shutdownNow();
        redis.close();
    }

    @AfterEach
    void closeLinks() {
        links.forEach(RedisLink::close);
        redis.startAgain();
    }

    /** One gateway instance's view: its own connection, book and local fallback. */
    private final class Instance {
        final RedisLink link;
        final BudgetBook book = new BudgetBook();
        final AtomicInteger localTakes = new AtomicInteger();
        final SharedLimits limits;

        Instance(boolean failOpen, SharedLimits.LedgerSpend ledger) {
            this(failOpen, ledger, RELAXED);
        }

        Instance(boolean failOpen, SharedLimits.LedgerSpend ledger, Duration timeout) {
            link = new RedisLink(
                    new RedisSettings(redis.uri(), null, timeout, failOpen), scheduler, new PrometheusRegistry());
            links.add(link);
            link.start();
            awaitConnected(link);
            CallLimits local = ask -> {
                localTakes.incrementAndGet();
                return CallLimits.Hold.NONE;
            };
            limits = new SharedLimits(link, local, book, ledger, Runnable::run);
        }

        Instance() {
            this(true, (key, from) -> 0L);
        }
    }

    private static String newKey() {
        return UUID.randomUUID().toString().substring(0, 12);
    }

    private static CallLimits.Ask rpm(String key, int perMinute) {
        return new CallLimits.Ask(key, perMinute, 0, 0, null, 0, Instant.now());
    }

    @Test
    void twoInstancesShareOneRequestAllowance() {
        var a = new Instance();
        var b = new Instance();
        String key = newKey();
        int admitted = 0;
        ApiException refusal = null;
        for (int i = 0; i < 70; i++) {
            try {
                (i % 2 == 0 ? a : b).limits.take(rpm(key, 60));
                admitted++;
            } catch (ApiException e) {
                refusal = e;
            }
        }
        // A minute's allowance in a burst (a request's worth may refill while the loop runs).
        assertThat(admitted).isBetween(60, 61);
        assertThat(refusal).isNotNull();
        assertThat(refusal.status()).isEqualTo(429);
        assertThat(refusal.detail().code()).isEqualTo("rate_limit_exceeded");
        assertThat(refusal.headers()).containsKey("Retry-After").containsEntry("x-ratelimit-limit-requests", "60");
        assertThat(a.localTakes.get() + b.localTakes.get()).isZero();
    }

    @Test
    void aRequestThatIsNotARoutedCallCountsInTheSameAllowance() {
        var a = new Instance();
        var b = new Instance();
        String key = newKey();
        a.limits.take(rpm(key, 4)); // a routed call
        var first = b.limits.takeRequest(key, 4, () -> {
            throw new AssertionError("not local");
        });
        assertThat(first).hasValueSatisfying(decision -> {
            assertThat(decision.allowed()).isTrue();
            assertThat(decision.limit()).isEqualTo(4);
            assertThat(decision.remaining()).isEqualTo(2);
            assertThat(decision.resetNanos()).isBetween(29_000_000_000L, 30_000_000_000L);
        });
        a.limits.takeRequest(key, 4, java.util.Optional::empty);
        a.limits.takeRequest(key, 4, java.util.Optional::empty);
        assertThat(b.limits.takeRequest(key, 4, java.util.Optional::empty)).hasValueSatisfying(decision -> {
            assertThat(decision.allowed()).isFalse();
            assertThat(decision.retryNanos()).isBetween(14_000_000_000L, 15_000_000_000L);
        });
    }

    @Test
    void aRefusedBudgetTakesNothingElse() {
        var a = new Instance();
        String key = newKey();
        var budget = new Budget(1_000, BudgetPeriod.MONTHLY);
        var now = Instant.now();
        // Spend the budget: one call estimated at 600, settled at 1,000.
        var hold = a.limits.take(new CallLimits.Ask(key, 5, 0, 0, budget, 600, now));
        hold.settle(-1, OptionalLong.of(1_000));
        awaitSpent(key, budget, now, 1_000);
        for (int i = 0; i < 10; i++) {
            assertThatThrownBy(() -> a.limits.take(new CallLimits.Ask(key, 5, 0, 0, budget, 600, now)))
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.status()).isEqualTo(429);
                        assertThat(e.detail().code()).isEqualTo("insufficient_quota");
                        assertThat(e.detail().message()).contains("($0.001 spent)");
                    });
        }
        // The refusals took no request from the 5 a minute: 4 are left.
        for (int i = 0; i < 4; i++) {
            a.limits.take(rpm(key, 5));
        }
        assertThatThrownBy(() -> a.limits.take(rpm(key, 5)))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.detail().type()).isEqualTo("requests"));
        // The local book heard of the charge, for when it has to take over.
        assertThat(a.book.status(key, budget, now).spentMicros()).isEqualTo(1_000);
    }

    @Test
    void reservationsInFlightCountAcrossInstances() {
        var a = new Instance();
        var b = new Instance();
        String key = newKey();
        var budget = new Budget(1_000, BudgetPeriod.DAILY);
        var now = Instant.now();
        a.limits.take(new CallLimits.Ask(key, 0, 0, 0, budget, 700, now)); // in flight, 700 held
        b.limits.take(new CallLimits.Ask(key, 0, 0, 0, budget, 299, now)); // 999 held: still room
        b.limits.take(new CallLimits.Ask(key, 0, 0, 0, budget, 1, now)); // 1,000 held: the last one
        assertThatThrownBy(() -> b.limits.take(new CallLimits.Ask(key, 0, 0, 0, budget, 1, now)))
                .isInstanceOfSatisfying(
                        ApiException.class,
                        e -> assertThat(e.detail().message()).contains("held by requests in progress"));
    }

    @Test
    void tokensAreReservedThenSettledWithWhatWasUsed() {
        var a = new Instance();
        var b = new Instance();
        String key = newKey();
        // 1,000 tokens a minute; an estimate of 800 leaves no room for another 800 ...
        var first = a.limits.take(new CallLimits.Ask(key, 0, 1_000, 800, null, 0, Instant.now()));
        assertThatThrownBy(() -> b.limits.take(new CallLimits.Ask(key, 0, 1_000, 800, null, 0, Instant.now())))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.detail().type()).isEqualTo("tokens"));
        // ... until the first call settles at 100 tokens used.
        first.settle(100, OptionalLong.empty());
        awaitAdmitted(() -> b.limits.take(new CallLimits.Ask(key, 0, 1_000, 800, null, 0, Instant.now())));
    }

    @Test
    void settlementsSentTogetherAreEachCountedOnce() throws Exception {
        var a = new Instance();
        String key = newKey();
        var budget = new Budget(1_000_000, BudgetPeriod.DAILY);
        var now = Instant.now();
        var holds = new ArrayList<CallLimits.Hold>();
        for (int i = 0; i < 300; i++) {
            holds.add(a.limits.take(new CallLimits.Ask(key, 0, 0, 0, budget, 10, now)));
        }
        // Settled from 8 threads at once: they queue up behind each batch in flight.
        var pool = Executors.newFixedThreadPool(8);
        for (CallLimits.Hold hold : holds) {
            pool.submit(() -> {
                hold.settle(-1, OptionalLong.of(7));
                hold.settle(-1, OptionalLong.of(7)); // a second settle changes nothing
            });
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS))
                .isTrue();
        awaitSpent(key, budget, now, 300 * 7);
        assertThat(bulk("HGET " + SharedLimits.budgetKey(key, budget, now) + " reserved"))
                .isEqualTo("0");
    }

    @Test
    void aMissingWindowStartsFromTheBookAndIsRaisedToTheLedger() {
        var a = new Instance(true, (key, from) -> 900L);
        String key = newKey();
        var budget = new Budget(1_000, BudgetPeriod.MONTHLY);
        var now = Instant.now();
        a.book.load(key, BudgetPeriod.MONTHLY, 300, now);
        a.limits.take(new CallLimits.Ask(key, 0, 0, 0, budget, 50, now)).settle(-1, OptionalLong.of(50));
        // Seeded with the book's 300, raised to the ledger's 900 (here at once), then charged 50.
        awaitSpent(key, budget, now, 950);
    }

    @Test
    void failOpenTakesLocalLimitsWhileRedisIsDownAndSharesAgainWhenItIsBack() {
        var a = new Instance(true, (key, from) -> 0L);
        String key = newKey();
        redis.stop();
        long start = System.nanoTime();
        a.limits.take(rpm(key, 60));
        long waitedMillis = (System.nanoTime() - start) / 1_000_000;
        assertThat(a.localTakes.get()).isEqualTo(1);
        assertThat(waitedMillis).isLessThan(1_000);
        redis.startAgain();
        awaitConnected(a.link);
        int before = a.localTakes.get();
        awaitAdmitted(() -> a.limits.take(rpm(key, 60)));
        a.limits.take(rpm(key, 60));
        assertThat(a.localTakes.get()).isLessThanOrEqualTo(before + 1);
        assertThat(redis.command("EXISTS " + SharedLimits.rpmKey(key))).isEqualTo(":1");
    }

    @Test
    void settlementsRedisNeverSawAreSentWhenItIsBack() {
        var a = new Instance();
        String key = newKey();
        var budget = new Budget(1_000_000, BudgetPeriod.DAILY);
        var now = Instant.now();
        String hash = SharedLimits.budgetKey(key, budget, now);
        var hold = a.limits.take(new CallLimits.Ask(key, 0, 0, 0, budget, 500, now));
        assertThat(bulk("HGET " + hash + " reserved")).isEqualTo("500");
        String spent = bulk("HGET " + hash + " spent");
        redis.stop();
        hold.settle(-1, OptionalLong.of(120)); // refused at once while the connection is down: held
        redis.startAgain();
        // The test's Redis keeps nothing across a restart; a real one (or a network blip) keeps the
        // window, with the reservation the lost settlement would have released.
        redis.command("HSET " + hash + " spent " + spent + " reserved 500");
        awaitConnected(a.link);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!"0".equals(bulk("HGET " + hash + " reserved")) && System.nanoTime() < deadline) {
            sleep(50);
        }
        assertThat(bulk("HGET " + hash + " reserved"))
                .as("the reservation released")
                .isEqualTo("0");
        assertThat(bulk("HGET " + hash + " spent")).isEqualTo(Long.toString(Long.parseLong(spent) + 120));
    }

    @Test
    void failClosedRefusesWithA503InOpenAisShape() {
        var a = new Instance(false, (key, from) -> 0L);
        redis.stop();
        assertThatThrownBy(() -> a.limits.take(rpm(newKey(), 60))).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(503);
            assertThat(e.detail().type()).isEqualTo("server_error");
            assertThat(e.detail().code()).isEqualTo("limits_unavailable");
            assertThat(e.headers()).containsEntry("Retry-After", "1");
        });
        assertThat(a.localTakes.get()).isZero();
    }

    @Test
    void aSlowRedisHoldsNoRequestLongerThanTheTimeout() throws Exception {
        var a = new Instance(true, (key, from) -> 0L, TIMEOUT);
        a.limits.take(rpm(newKey(), 60)); // warm: the script is loaded and the path compiled
        a.localTakes.set(0);
        // DEBUG SLEEP blocks the server for 1 s: the request must go on (locally) after about 50 ms.
        var sleeper = new Thread(() -> redis.command("DEBUG SLEEP 1"));
        sleeper.start();
        Thread.sleep(100);
        long start = System.nanoTime();
        a.limits.take(rpm(newKey(), 60));
        long waitedMillis = (System.nanoTime() - start) / 1_000_000;
        sleeper.join();
        assertThat(a.localTakes.get()).isEqualTo(1);
        assertThat(waitedMillis).isBetween(TIMEOUT.toMillis() - 5, TIMEOUT.toMillis() + 150);
    }

    @Test
    void whatALateAnswerTookIsSettledToo() throws Exception {
        var a = new Instance(true, (key, from) -> 0L, TIMEOUT);
        String key = newKey();
        var budget = new Budget(1_000_000, BudgetPeriod.DAILY);
        var now = Instant.now();
        a.limits.take(rpm(newKey(), 60)); // warm
        a.localTakes.set(0);
        var sleeper = new Thread(() -> redis.command("DEBUG SLEEP 0.3"));
        sleeper.start();
        Thread.sleep(50);
        // Not answered in 50 ms: taken locally. Redis runs the script when it wakes up, and the
        // reservation it made there is settled with what the call cost.
        var hold = a.limits.take(new CallLimits.Ask(key, 0, 0, 0, budget, 40, now));
        assertThat(a.localTakes.get()).isEqualTo(1);
        hold.settle(-1, OptionalLong.of(25));
        sleeper.join();
        awaitSpent(key, budget, now, 25);
        assertThat(bulk("HGET " + SharedLimits.budgetKey(key, budget, now) + " reserved"))
                .isEqualTo("0");
    }

    @Test
    void anOpenedCircuitIsAnnouncedToTheOtherInstances() throws Exception {
        var policy =
                new ProviderPolicy(RetryPolicy.DEFAULT, new BreakerSettings(true, 50, 4, 2, Duration.ofSeconds(30), 1));
        var here = new ResiliencePolicies(name -> policy);
        var there = new ResiliencePolicies(name -> policy);
        var a = new Instance();
        var b = new Instance();
        new CircuitAnnouncer(a.link, here, "a").start();
        new CircuitAnnouncer(b.link, there, "b").start();
        Thread.sleep(200); // the subscriptions are in place
        here.breaker("openai").transitionToOpenState();
        long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        while (there.state("openai") != CircuitBreaker.State.OPEN && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(there.state("openai")).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(there.state("anthropic")).isEqualTo(CircuitBreaker.State.CLOSED);
        // The other instance does not announce it back: here stays as it was told.
        assertThat(here.state("openai")).isEqualTo(CircuitBreaker.State.OPEN);
    }

    private static void awaitSpent(String key, Budget budget, Instant now, long micros) {
        String hash = SharedLimits.budgetKey(key, budget, now);
        long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        String last = null;
        while (System.nanoTime() < deadline) {
            last = bulk("HGET " + hash + " spent");
            if (Long.toString(micros).equals(last)) {
                return;
            }
            sleep(10);
        }
        assertThat(last).as("spent in " + hash).isEqualTo(Long.toString(micros));
    }

    /** The value of a bulk-string reply, read with a second line. */
    private static String bulk(String inline) {
        try (var socket = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), redis.port())) {
            socket.getOutputStream().write((inline + "\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            var reader = new java.io.BufferedReader(
                    new java.io.InputStreamReader(socket.getInputStream(), java.nio.charset.StandardCharsets.US_ASCII));
            String header = reader.readLine();
            return header.startsWith("$-1") ? null : reader.readLine();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void awaitAdmitted(Runnable take) {
        long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        while (true) {
            try {
                take.run();
                return;
            } catch (ApiException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                sleep(20);
            }
        }
    }

    private static void awaitConnected(RedisLink link) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!link.connected() && System.nanoTime() < deadline) {
            sleep(20);
        }
        assertThat(link.connected()).as("connected to " + redis.uri()).isTrue();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
