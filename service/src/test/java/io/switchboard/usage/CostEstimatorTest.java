package io.switchboard.usage;

import io.dropwizard.jackson.Jackson;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The pre-call estimate: cheap, documented, and 0 (still counted) when the price is unknown. */
class CostEstimatorTest {

    private static final PriceTable TABLE = PriceTable.shipped(Jackson.newObjectMapper());
    private final CostEstimator estimator = new CostEstimator(4096);

    @Test
    void asciiIsFourCharactersATokenRoundedUp() {
        assertThat(CostEstimator.promptTokens("")).isZero();
        assertThat(CostEstimator.promptTokens("abcd")).isEqualTo(1);
        assertThat(CostEstimator.promptTokens("abcde")).isEqualTo(2);
        assertThat(CostEstimator.promptTokens("Hello, how are you today?")).isEqualTo(7);
        assertThat(CostEstimator.promptTokens((CharSequence) null)).isZero();
    }

    @Test
    void otherCharactersAreATokenEachSoCjkIsNotUnderCountedFourTimes() {
        assertThat(CostEstimator.promptTokens("你好世界")).isEqualTo(4);
        assertThat(CostEstimator.promptTokens("😀"))
                .as("one code point, two chars")
                .isEqualTo(1);
        assertThat(CostEstimator.promptTokens("café")).isEqualTo(2); // "caf" → 1, "é" → 1
    }

    @Test
    void messagesAddTheirFraming() {
        assertThat(CostEstimator.promptTokens(List.of("You are terse.", "Hi"))).isEqualTo(4 + 4 + 1 + 4);
    }

    @Test
    void theOutputCapIsTheRequestsElseTheConfiguredDefault() {
        assertThat(estimator.outputTokens(100, 2000)).isEqualTo(100);
        assertThat(estimator.outputTokens(null, 2000)).isEqualTo(2000);
        assertThat(estimator.outputTokens(null, null)).isEqualTo(4096);
        assertThat(estimator.outputTokens(0, null)).isEqualTo(4096);
        assertThatThrownBy(() -> new CostEstimator(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theEstimateIsPromptAndCapAtTheModelsPricesRoundedUp() {
        // gpt-4o: 1000 × 2.50 + 4096 × 10.00 = 2500 + 40960.
        assertThat(estimator.estimateMicros(1000, 4096, TABLE.find("openai", "gpt-4o")))
                .isEqualTo(43_460);
        // gpt-4o-mini: 3 × 0.15 + 0 = 0.45 → 1: an estimate rounds up.
        assertThat(estimator.estimateMicros(3, 0, TABLE.find("openai", "gpt-4o-mini")))
                .isEqualTo(1);
        // gemini-2.5-pro above 200,000 prompt tokens: the long-context rates.
        assertThat(estimator.estimateMicros(300_000, 1000, TABLE.find("gemini", "gemini-2.5-pro")))
                .isEqualTo(300_000 * 2_500_000L / 1_000_000 + 15_000);
    }

    @Test
    void anUnknownOrIncompletePriceEstimatesZero() {
        assertThat(estimator.estimateMicros(1000, 1000, TABLE.find("groq", "llama-3.3-70b-versatile")))
                .isZero();
        assertThat(estimator.estimateMicros(1000, 1000, TABLE.find("openai", "text-embedding-3-small")))
                .as("no output price")
                .isZero();
        assertThat(estimator.estimateMicros(1000, 0, TABLE.find("openai", "text-embedding-3-small")))
                .isEqualTo(20);
        assertThat(estimator.estimateMicros(300_000, 10, TABLE.find("openai", "gpt-5.4")))
                .as("unverified long-context rates")
                .isZero();
    }

    @Test
    void aHostileCapCannotOverflowTheEstimate() {
        var dear = Optional.of(ModelPrice.flat("m", "t", Rates.of(10_000_000_000L, 10_000_000_000L)));
        assertThat(estimator.estimateMicros(10_000_000, Integer.MAX_VALUE, dear))
                .isEqualTo(Budget.MAX_LIMIT_MICROS);
        assertThat(estimator.estimateMicros(Long.MAX_VALUE, Long.MAX_VALUE, dear))
                .isEqualTo(Budget.MAX_LIMIT_MICROS);
    }
}
