package io.switchboard.usage;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class TokensPerMinuteTest {

    private final AtomicLong now = new AtomicLong();
    private final TokensPerMinute limits = new TokensPerMinute(now::get);

    @Test
    void admitsWhileTheMinuteHoldsTheEstimateThenSaysWhenItWill() {
        assertThat(limits.reserve("k", 1000, 600)).isZero();
        long wait = limits.reserve("k", 1000, 600);
        assertThat(wait).as("200 tokens short at 1000 a minute: 12 s").isEqualTo(12_000_000_000L);

        now.addAndGet(12_000_000_000L);
        assertThat(limits.reserve("k", 1000, 600)).isZero();
    }

    @Test
    void settlingGivesBackWhatWasNotUsedAndTakesWhatWasUsedBeyond() {
        assertThat(limits.reserve("k", 1000, 900)).isZero();
        limits.settle("k", 900, 100);
        assertThat(limits.reserve("k", 1000, 900)).as("800 given back").isZero();

        limits.settle("k", 900, 1900);
        assertThat(limits.reserve("k", 1000, 1))
                .as("1000 more used than reserved: the bucket is in debt")
                .isPositive();
    }

    @Test
    void keysAreApartAndAChangedLimitStartsAFreshBucket() {
        assertThat(limits.reserve("a", 100, 100)).isZero();
        assertThat(limits.reserve("b", 100, 100)).isZero();
        assertThat(limits.reserve("a", 100, 1)).isPositive();
        assertThat(limits.reserve("a", 200, 150)).isZero();
    }
}
