package io.switchboard.warmup;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** When a training run counts as healthy: 99 % of what it sent answered as expected. */
class HotPathDriverOutcomeTest {

    private static HotPathDriver.Outcome outcome(long sent, long ok, long failed) {
        return new HotPathDriver.Outcome(sent, ok, failed, Duration.ofSeconds(1), failed > 0 ? "status 500" : null);
    }

    @Test
    void ninetyNinePercentAnsweredIsHealthy() {
        assertThat(outcome(100, 100, 0).healthy()).isTrue();
        assertThat(outcome(100, 99, 1).healthy()).isTrue();
        assertThat(outcome(100, 98, 2).healthy()).isFalse();
    }

    @Test
    void requestsNeverAnsweredCountAgainstIt() {
        // Two sent requests neither answered nor failed (their wait gave up): 98 % answered.
        assertThat(outcome(100, 98, 0).healthy()).isFalse();
        assertThat(outcome(10, 0, 0).healthy()).isFalse();
    }

    @Test
    void nothingSentIsNotHealthy() {
        assertThat(outcome(0, 0, 0).healthy()).isFalse();
    }
}
