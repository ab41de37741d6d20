package io.switchboard.usage;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.jackson.Jackson;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Optional;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

/** Cost is the table's arithmetic, exactly, or unknown; never a guess and never a double. */
class CostTest {

    private static final ObjectMapper JSON = Jackson.newObjectMapper();
    private static final PriceTable TABLE = PriceTable.shipped(JSON);

    private static ModelPrice price(String provider, String model) {
        return TABLE.find(provider, model).orElseThrow();
    }

    @Test
    void inputCachedAndOutputAtTheirOwnPrices() {
        // gpt-4o: 86 × 2.50 + 1920 × 1.25 + 300 × 10.00 = 215 + 2400 + 3000 = 5615 micro-dollars.
        Cost cost = Cost.of(new TokenUsage(86, 1920, 0, 0, 300, 128, 0, 2006, 300), price("openai", "gpt-4o"));

        assertThat(cost).isEqualTo(new Cost.Known(5615));
    }

    @Test
    void anthropicAndOpenAiCacheSemanticsCostTheSameForTheSameRealUsage() throws Exception {
        // One real request to Claude Sonnet 4.5: 1,000 uncached, 2,000 read from cache, 500 written to the
        // 5-minute cache and 300 to the 1-hour cache, 400 output. By hand, in micro-dollars:
        // 1000×3 + 2000×0.30 + 500×3.75 + 300×6 + 400×15 = 3000 + 600 + 1875 + 1800 + 6000 = 13275.
        var anthropic = TokenUsage.fromAnthropic(JSON.readTree("""
                {"input_tokens":1000,"cache_read_input_tokens":2000,"cache_creation_input_tokens":800,
                 "cache_creation":{"ephemeral_5m_input_tokens":500,"ephemeral_1h_input_tokens":300},"output_tokens":400}"""));
        var openAiShaped = TokenUsage.fromOpenAi(JSON.readTree("""
                {"prompt_tokens":3800,"completion_tokens":400,"total_tokens":4200,
                 "prompt_tokens_details":{"cached_tokens":2000,"cache_creation_tokens":800,"cache_creation_1h_tokens":300}}"""));
        ModelPrice sonnet = price("anthropic", "claude-sonnet-4-5-20250929");

        assertThat(Cost.of(anthropic, sonnet)).isEqualTo(new Cost.Known(13_275));
        assertThat(Cost.of(openAiShaped, sonnet)).isEqualTo(Cost.of(anthropic, sonnet));
    }

    @Test
    void anOpenAiRequestCostsTheSameThroughTheChatAndResponsesApis() throws Exception {
        var chat = TokenUsage.fromOpenAi(JSON.readTree("""
                {"prompt_tokens":5000,"completion_tokens":900,"prompt_tokens_details":{"cached_tokens":4096},
                 "completion_tokens_details":{"reasoning_tokens":700}}"""));
        var responses = TokenUsage.fromResponses(JSON.readTree("""
                {"input_tokens":5000,"input_tokens_details":{"cached_tokens":4096},
                 "output_tokens":900,"output_tokens_details":{"reasoning_tokens":700}}"""));

        assertThat(Cost.of(chat, price("openai", "o4-mini")))
                .isEqualTo(Cost.of(responses, price("openai", "o4-mini")))
                // 904 × 1.10 + 4096 × 0.275 + 900 × 4.40 = 994.4 + 1126.4 + 3960 = 6080.8 → 6081
                .isEqualTo(new Cost.Known(6081));
    }

    @Test
    void roundingIsHalfUpOnTheWholeRequest() {
        ModelPrice tenCents = ModelPrice.flat("m", "test", Rates.of(100_000, 100_000));
        assertThat(Cost.of(TokenUsage.of(4, 0), tenCents).micros()).hasValue(0); // 0.4
        assertThat(Cost.of(TokenUsage.of(5, 0), tenCents).micros()).hasValue(1); // 0.5 → up
        assertThat(Cost.of(TokenUsage.of(3, 3), tenCents).micros()).hasValue(1); // 0.3 + 0.3, rounded once
        assertThat(Cost.of(TokenUsage.of(14, 0), tenCents).micros()).hasValue(1); // 1.4
    }

    @Property
    void theRoundedCostIsWithinHalfAMicroDollarOfTheExactOne(
            @ForAll @LongRange(max = 50_000_000) long input,
            @ForAll @LongRange(max = 50_000_000) long read,
            @ForAll @LongRange(max = 10_000_000) long write,
            @ForAll @LongRange(max = 10_000_000) long output,
            @ForAll @LongRange(max = 200_000_000) long inPrice,
            @ForAll @LongRange(max = 200_000_000) long readPrice,
            @ForAll @LongRange(max = 200_000_000) long writePrice,
            @ForAll @LongRange(max = 200_000_000) long outPrice) {
        var rates = new Rates(
                OptionalLong.of(inPrice),
                OptionalLong.of(outPrice),
                OptionalLong.of(readPrice),
                OptionalLong.of(writePrice),
                OptionalLong.of(writePrice));
        var usage = new TokenUsage(input, read, write, 0, output, 0, 0, input + read + write, output);

        long cost = Cost.of(usage, ModelPrice.flat("m", "test", rates)).micros().orElseThrow();

        BigDecimal exact = BigDecimal.valueOf(input)
                .multiply(BigDecimal.valueOf(inPrice))
                .add(BigDecimal.valueOf(read).multiply(BigDecimal.valueOf(readPrice)))
                .add(BigDecimal.valueOf(write).multiply(BigDecimal.valueOf(writePrice)))
                .add(BigDecimal.valueOf(output).multiply(BigDecimal.valueOf(outPrice)))
                .divide(BigDecimal.valueOf(1_000_000));
        assertThat(BigDecimal.valueOf(cost).subtract(exact).abs()).isLessThanOrEqualTo(new BigDecimal("0.5"));
        assertThat(cost).isEqualTo(exact.setScale(0, RoundingMode.HALF_UP).longValueExact());
    }

    @Test
    void noPriceIsAnUnknownCostNotZero() {
        Cost cost = Cost.of(TokenUsage.of(100, 100), TABLE.find("groq", "llama-3.3-70b-versatile"));

        assertThat(cost.micros()).isEmpty();
        assertThat(cost)
                .isInstanceOfSatisfying(
                        Cost.Unknown.class,
                        unknown -> assertThat(unknown.reason()).isEqualTo(Cost.Reason.NO_PRICE));
    }

    @Test
    void aMissingComponentPriceMakesTheCostUnknownOnlyWhenThatComponentIsUsed() {
        ModelPrice embedding = price("openai", "text-embedding-3-small");
        assertThat(Cost.of(TokenUsage.of(1_000_000, 0), embedding)).isEqualTo(new Cost.Known(20_000));

        Cost writesWithoutAWritePrice = Cost.of(new TokenUsage(10, 0, 5, 0, 1, 0, 0, 15, 1), price("openai", "gpt-4o"));
        assertThat(writesWithoutAWritePrice).isInstanceOfSatisfying(Cost.Unknown.class, unknown -> {
            assertThat(unknown.reason()).isEqualTo(Cost.Reason.MISSING_PRICE);
            assertThat(unknown.detail()).contains("gpt-4o has no cacheWrite price");
        });

        Cost sonnet55CacheRead =
                Cost.of(new TokenUsage(10, 100, 0, 0, 1, 0, 0, 110, 1), price("anthropic", "claude-sonnet-5-5"));
        assertThat(sonnet55CacheRead.micros())
                .as("its cache-read price is in doubt, so left out")
                .isEmpty();
    }

    @Test
    void longContextRatesApplyToTheWholeRequestAboveTheThreshold() {
        ModelPrice pro = price("gemini", "gemini-2.5-pro");
        // 250,000 prompt tokens (50,000 of them cached) is above 200,000: all at the long rates:
        // 200000 × 2.50 + 50000 × 0.25 + 1000 × 15 = 500000 + 12500 + 15000.
        assertThat(Cost.of(new TokenUsage(200_000, 50_000, 0, 0, 1000, 0, 0, 250_000, 1000), pro))
                .isEqualTo(new Cost.Known(527_500));
        // Exactly 200,000 is still the short rates: 200000 × 1.25 + 1000 × 10.
        assertThat(Cost.of(TokenUsage.of(200_000, 1000), pro)).isEqualTo(new Cost.Known(260_000));

        Cost longWithCache = Cost.of(
                new TokenUsage(150_000, 60_000, 0, 0, 10, 0, 0, 210_000, 10), price("anthropic", "claude-sonnet-4-5"));
        assertThat(longWithCache)
                .isInstanceOfSatisfying(
                        Cost.Unknown.class,
                        unknown -> assertThat(unknown.detail()).contains("above its long-context threshold"));
    }

    @Test
    void audioHasNoPriceHere() {
        var withAudio = new TokenUsage(10, 0, 0, 0, 10, 0, 5, 10, 10);
        assertThat(Cost.of(withAudio, price("openai", "gpt-4o")))
                .isInstanceOfSatisfying(
                        Cost.Unknown.class,
                        unknown -> assertThat(unknown.reason()).isEqualTo(Cost.Reason.AUDIO));
    }

    @Test
    void overflowIsRefusedNotWrapped() {
        var absurd = TokenUsage.of(Long.MAX_VALUE / 2, 0);
        assertThat(Cost.of(absurd, price("openai", "gpt-4o")))
                .isInstanceOfSatisfying(
                        Cost.Unknown.class,
                        unknown -> assertThat(unknown.reason()).isEqualTo(Cost.Reason.OVERFLOW));
        var sumOverflows = new TokenUsage(900_000_000_000L, 0, 0, 0, 900_000_000_000L, 0, 0, 0, 0);
        assertThat(Cost.of(sumOverflows, ModelPrice.flat("m", "t", Rates.of(10_000_000_000L, 10_000_000_000L))))
                .extracting(Cost::micros)
                .isEqualTo(OptionalLong.empty());
    }

    @Test
    void theBuiltinProviderCostsZeroNotUnknown() {
        assertThat(Cost.of(TokenUsage.of(500, 500), TABLE.find("builtin", "echo")))
                .isEqualTo(new Cost.Known(0));
        assertThat(Cost.of(TokenUsage.of(500, 500), Optional.empty()).micros()).isEmpty();
    }
}
