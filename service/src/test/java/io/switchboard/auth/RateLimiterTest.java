package io.switchboard.auth;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The token bucket, on a fake clock: bursts, refill, what the headers report, overrides. */
class RateLimiterTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    private RateLimiter limiter(int perMinute, Map<String, Integer> perKey) {
        return new RateLimiter(perMinute, perKey, now::get);
    }

    private void advance(long amount, TimeUnit unit) {
        now.addAndGet(unit.toNanos(amount));
    }

    @Test
    void aFullMinuteIsAllowedAtOnceThenRequestsAreSpacedEvenly() {
        var limiter = limiter(60, Map.of());
        for (int i = 0; i < 60; i++) {
            var decision = limiter.acquire("k").orElseThrow();
            assertThat(decision.allowed()).isTrue();
            assertThat(decision.remaining()).isEqualTo(59 - i);
            assertThat(decision.limit()).isEqualTo(60);
        }
        var refused = limiter.acquire("k").orElseThrow();
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.remaining()).isZero();
        assertThat(refused.retryNanos()).isEqualTo(TimeUnit.SECONDS.toNanos(1));
        assertThat(refused.resetNanos()).isEqualTo(TimeUnit.SECONDS.toNanos(60));

        advance(999, TimeUnit.MILLISECONDS);
        assertThat(limiter.acquire("k").orElseThrow().allowed()).isFalse();
        advance(1, TimeUnit.MILLISECONDS);
        assertThat(limiter.acquire("k").orElseThrow().allowed()).isTrue();
        assertThat(limiter.acquire("k").orElseThrow().allowed()).isFalse();
    }

    @Test
    void resetIsTheTimeUntilTheBucketIsFullAgain() {
        var limiter = limiter(120, Map.of());
        var first = limiter.acquire("k").orElseThrow();
        assertThat(first.remaining()).isEqualTo(119);
        assertThat(first.resetNanos()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(500));

        advance(10, TimeUnit.MINUTES);
        var later = limiter.acquire("k").orElseThrow();
        assertThat(later.remaining())
                .as("never above the limit, however long the key was idle")
                .isEqualTo(119);
    }

    @Test
    void keysHaveSeparateBucketsAndOverridesWin() {
        var limiter = limiter(1, Map.of("vip", 3, "free", 0));
        assertThat(limiter.acquire("a").orElseThrow().allowed()).isTrue();
        assertThat(limiter.acquire("a").orElseThrow().allowed()).isFalse();
        assertThat(limiter.acquire("b").orElseThrow().allowed()).isTrue();
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.acquire("vip").orElseThrow().allowed()).isTrue();
        }
        assertThat(limiter.acquire("vip").orElseThrow().allowed()).isFalse();
        assertThat(limiter.acquire("free")).as("0 = no limit for this key").isEmpty();
        assertThat(limiter.limitsAnything()).isTrue();
    }

    @Test
    void zeroMeansNoLimit() {
        var limiter = limiter(0, Map.of());
        assertThat(limiter.limitsAnything()).isFalse();
        assertThat(limiter.acquire("k")).isEmpty();
        assertThat(limiter(0, Map.of("k", 5)).limitsAnything()).isTrue();
    }

    @ParameterizedTest
    @CsvSource({
        "0, 0s",
        "1, 1ms",
        "12000000, 12ms",
        "999000000, 999ms",
        "1000000000, 1s",
        "8640000000, 8.64s",
        "59999000000, 59.999s",
        "60000000000, 1m0s",
        "360000000000, 6m0s",
        "90500000000, 1m30.5s",
        "1000000001, 1.001s"
    })
    void durationsAreWrittenTheWayOpenAiWritesThem(long nanos, String text) {
        assertThat(GoDuration.format(nanos)).isEqualTo(text);
    }
}
