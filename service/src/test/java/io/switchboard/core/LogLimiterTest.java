package io.switchboard.core;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class LogLimiterTest {

    @Test
    void writesUpToTheLimitPerWindowThenReportsWhatItHeldBack() {
        var now = new AtomicLong();
        var limiter = new LogLimiter(2, 10, now::get);

        assertThat(limiter.admit("a")).isZero();
        assertThat(limiter.admit("a")).isZero();
        assertThat(limiter.admit("a")).as("over the limit").isEqualTo(-1);
        assertThat(limiter.admit("a")).isEqualTo(-1);
        assertThat(limiter.admit("b")).as("each subject has its own window").isZero();

        now.set(10);
        assertThat(limiter.admit("a"))
                .as("the next window's first line reports the two held back")
                .isEqualTo(2);
        assertThat(limiter.admit("a")).isZero();
        assertThat(limiter.admit("a")).isEqualTo(-1);
    }
}
