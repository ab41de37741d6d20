package io.switchboard.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.usage.CostEstimator;
import io.switchboard.usage.Micros;
import io.switchboard.usage.ModelPrice;
import io.switchboard.usage.PriceTable;
import io.switchboard.usage.Rates;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Digits;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * {@code pricing:} the operator's corrections to the price table shipped in the jar, and the
 * output cap a budget's estimate assumes when a request names none.
 *
 * <pre>
 * pricing:
 *   overrides:
 *     "openai/gpt-4o": {input: "2.50", output: "10.00", cachedRead: "1.25"}
 *     "ollama/*": {input: "0", output: "0", cachedRead: "0"}     # every model of a local runtime
 *   defaultOutputTokens: 4096
 * </pre>
 *
 * Prices are USD per million tokens, at most six decimals, from 0 to 10,000; quoted or not, they
 * are read as exact decimals. A price left out is unknown (a request that needs it gets a null
 * cost), never zero. An override replaces the table's entry for that model entirely.
 */
public class PricingConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(PricingConfiguration.class);

    /** A provider name (as in {@code providers:}), a slash, and a model id or {@code *}. */
    static final String KEY = "[A-Za-z0-9._-]{1,64}/(\\*|[A-Za-z0-9._:/@+-]{1,200})";

    @Valid
    @NotNull
    @JsonProperty
    private Map<
                    @NotNull @Pattern(regexp = KEY, message = "must be provider/model or provider/*") String,
                    @NotNull @Valid PriceOverride>
            overrides = Map.of();

    /** Output tokens a budget's pre-call estimate assumes when a request sets no max_tokens. */
    @Min(1)
    @Max(10_000_000)
    @JsonProperty
    private int defaultOutputTokens = CostEstimator.DEFAULT_OUTPUT_TOKENS;

    public Map<String, PriceOverride> overrides() {
        return overrides;
    }

    public int defaultOutputTokens() {
        return defaultOutputTokens;
    }

    /** The shipped table with these overrides; logs what it loaded. */
    public PriceTable build(ObjectMapper json) {
        var prices = new LinkedHashMap<String, ModelPrice>();
        overrides.forEach((key, override) -> prices.put(key, override.toPrice(key)));
        PriceTable table = PriceTable.shipped(json).withOverrides(prices);
        LOG.info(
                "Prices: {} models from the table of {} ({}), {} overrides from config",
                table.entries().size(),
                table.date(),
                String.join(", ", table.sources().keySet()),
                prices.size());
        return table;
    }

    /** One model's prices in USD per million tokens; a price left out (or null) is unknown. */
    public record PriceOverride(
            @NotNull(message = "is required: the input price")
            @DecimalMin("0")
            @DecimalMax("10000")
            @Digits(integer = 5, fraction = 6)
            @JsonProperty("input")
            BigDecimal input,

            @DecimalMin("0") @DecimalMax("10000") @Digits(integer = 5, fraction = 6) @JsonProperty("output")
            BigDecimal output,

            @DecimalMin("0") @DecimalMax("10000") @Digits(integer = 5, fraction = 6) @JsonProperty("cachedRead")
            BigDecimal cachedRead,

            @DecimalMin("0") @DecimalMax("10000") @Digits(integer = 5, fraction = 6) @JsonProperty("cacheWrite")
            BigDecimal cacheWrite,

            @DecimalMin("0") @DecimalMax("10000") @Digits(integer = 5, fraction = 6) @JsonProperty("cacheWrite1h")
            BigDecimal cacheWrite1h) {

        /** As a price; the checks are repeated here so that no path skips them. */
        public ModelPrice toPrice(String key) {
            return ModelPrice.flat(
                    key,
                    "config",
                    new Rates(
                            micros(input, key, "input"),
                            micros(output, key, "output"),
                            micros(cachedRead, key, "cachedRead"),
                            micros(cacheWrite, key, "cacheWrite"),
                            micros(cacheWrite1h, key, "cacheWrite1h")));
        }

        private static OptionalLong micros(BigDecimal usd, String key, String name) {
            return usd == null
                    ? OptionalLong.empty()
                    : OptionalLong.of(Micros.parsePrice(usd, "pricing.overrides." + key + "." + name));
        }
    }
}
