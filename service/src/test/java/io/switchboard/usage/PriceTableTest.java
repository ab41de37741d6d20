package io.switchboard.usage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.jackson.Jackson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.LocalDate;
import java.util.Map;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The shipped table loads, says where every price comes from, and is looked up as documented. */
class PriceTableTest {

    private static final ObjectMapper JSON = Jackson.newObjectMapper();
    private static final PriceTable TABLE = PriceTable.shipped(JSON);

    @Test
    void theShippedTableHasItsDateAndEveryEntryASource() {
        assertThat(TABLE.date()).isEqualTo(LocalDate.of(2026, 12, 3));
        assertThat(TABLE.sources()).containsKeys("openai", "anthropic", "gemini", "builtin");
        assertThat(TABLE.sources().values()).allSatisfy(source -> {
            assertThat(source.url()).isNotBlank();
            assertThat(source.read()).isNotNull().isBeforeOrEqualTo(TABLE.date());
            assertThat(source.how()).isNotBlank();
        });
        assertThat(TABLE.entries()).hasSizeGreaterThan(40);
        assertThat(TABLE.entries()).allSatisfy((key, price) -> {
            assertThat(TABLE.sources()).containsKey(price.source());
            assertThat(price.rates().input()).as(key + " input").isPresent();
        });
    }

    @Test
    void theShippedPresetsModelsArePriced() {
        assertThat(TABLE.find("openai", "gpt-4o")).isPresent();
        assertThat(TABLE.find("openai", "gpt-4o-mini")).isPresent();
        assertThat(TABLE.find("openai", "gpt-4.1-nano")).isPresent();
        assertThat(TABLE.find("openai", "o4-mini")).isPresent();
        assertThat(TABLE.find("openai", "gpt-5")).isPresent();
        assertThat(TABLE.find("openai", "text-embedding-3-small")).isPresent();
        assertThat(TABLE.find("anthropic", "claude-sonnet-4-5")).isPresent();
        assertThat(TABLE.find("anthropic", "claude-haiku-4-5-20251001")).isPresent();
        assertThat(TABLE.find("gemini", "gemini-2.5-flash")).isPresent();
    }

    @Test
    void pricesAreExactMicroDollarsPerMillionTokens() {
        ModelPrice gpt4o = TABLE.find("openai", "gpt-4o").orElseThrow();
        assertThat(gpt4o.rates())
                .isEqualTo(new Rates(
                        OptionalLong.of(2_500_000),
                        OptionalLong.of(10_000_000),
                        OptionalLong.of(1_250_000),
                        OptionalLong.empty(),
                        OptionalLong.empty()));
        ModelPrice sonnet = TABLE.find("anthropic", "claude-sonnet-4-5").orElseThrow();
        assertThat(sonnet.rates())
                .isEqualTo(new Rates(
                        OptionalLong.of(3_000_000),
                        OptionalLong.of(15_000_000),
                        OptionalLong.of(300_000),
                        OptionalLong.of(3_750_000),
                        OptionalLong.of(6_000_000)));
        assertThat(TABLE.find("openai", "gpt-5-nano").orElseThrow().rates().cachedRead())
                .hasValue(5_000);
    }

    @Test
    void theBuiltinProviderIsFreeExplicitlyAndOnlyItself() {
        ModelPrice echo = TABLE.find("builtin", "echo").orElseThrow();
        assertThat(echo.rates()).isEqualTo(Rates.FREE);
        assertThat(echo.source()).isEqualTo("builtin");
        assertThat(TABLE.find("ollama", "echo"))
                .as("another provider's echo is not free")
                .isEmpty();
    }

    @ParameterizedTest(name = "{0}/{1} → {2}")
    @CsvSource(
            nullValues = "none",
            value = {
                "openai, gpt-4o, gpt-4o",
                "openai, gpt-4o-2024-08-06, gpt-4o",
                "openai, gpt-4o-2024-11-20, gpt-4o",
                "openai, gpt-4o-2024-05-13, none", // costs more: not a snapshot of gpt-4o
                "openai, gpt-4o-2099-01-01, none", // a date the table does not vouch for
                "anthropic, claude-sonnet-4-5-20250929, claude-sonnet-4-5",
                "anthropic, claude-sonnet-4-20250514, claude-sonnet-4",
                "anthropic, claude-sonnet-4-5-20990101, none",
                "azure, gpt-4o, gpt-4o", // by upstream id, whoever serves it
                "groq, llama-3.3-70b-versatile, none",
                "openai, gpt-4o-mini-tts, none",
                "openai, '', none"
            })
    void lookupIsExactThenDocumentedSnapshotsElseUnknown(String provider, String model, String expected) {
        assertThat(TABLE.find(provider, model).map(ModelPrice::id).orElse(null)).isEqualTo(expected);
    }

    @Test
    void overridesWinAndAProviderWildcardCoversItsModels() {
        var override = ModelPrice.flat("openai/gpt-4o", "config", Rates.of(1_000_000, 2_000_000));
        var local = ModelPrice.flat("ollama/*", "config", Rates.FREE);
        PriceTable table = TABLE.withOverrides(Map.of("openai/gpt-4o", override, "ollama/*", local));

        assertThat(table.find("openai", "gpt-4o")).contains(override);
        assertThat(table.find("azure", "gpt-4o"))
                .as("another provider keeps the table's")
                .map(ModelPrice::id)
                .contains("gpt-4o");
        assertThat(table.find("ollama", "llama3:8b")).contains(local);
        assertThat(table.find("openai", "gpt-4o-2024-08-06"))
                .as("an override is for its exact id")
                .map(ModelPrice::id)
                .contains("gpt-4o");
        assertThatThrownBy(() -> TABLE.withOverrides(Map.of("gpt-4o", override)))
                .hasMessageContaining("'gpt-4o' is not provider/model");
    }

    @Test
    void longContextTiersAreCarried() {
        ModelPrice pro = TABLE.find("gemini", "gemini-2.5-pro").orElseThrow();
        assertThat(pro.ratesFor(200_000).input()).hasValue(1_250_000);
        assertThat(pro.ratesFor(200_001).input()).hasValue(2_500_000);
        assertThat(pro.ratesFor(200_001).output()).hasValue(15_000_000);
        ModelPrice gpt54 = TABLE.find("openai", "gpt-5.4").orElseThrow();
        assertThat(gpt54.ratesFor(272_001))
                .as("unverified long-context prices stay unknown")
                .isEqualTo(Rates.UNKNOWN);
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"date\":\"2026-12-03\",\"sources\":{},\"models\":{},\"extra\":1}|unknown key 'extra'",
                "{\"date\":\"2026-13-03\",\"sources\":{},\"models\":{}}|is not a date",
                "{\"date\":\"2026-12-03\",\"sources\":{},\"models\":{\"m\":{\"source\":\"x\",\"input\":\"1\"}}}|source 'x' is not among the sources",
                "{\"date\":\"2026-12-03\",\"sources\":{\"s\":{\"url\":\"u\",\"read\":\"2026-12-03\",\"how\":\"h\"}},\"models\":{\"m\":{\"source\":\"s\",\"input\":2.5}}}|write prices as strings",
                "{\"date\":\"2026-12-03\",\"sources\":{\"s\":{\"url\":\"u\",\"read\":\"2026-12-03\",\"how\":\"h\"}},\"models\":{\"m\":{\"source\":\"s\",\"input\":\"0.0000001\"}}}|more than 6 decimals",
                "{\"date\":\"2026-12-03\",\"sources\":{\"s\":{\"url\":\"u\",\"read\":\"2026-12-03\",\"how\":\"h\"}},\"models\":{\"m\":{\"source\":\"s\",\"input\":\"-1\"}}}|is not a price",
                "{\"date\":\"2026-12-03\",\"sources\":{\"s\":{\"url\":\"u\",\"read\":\"2026-12-03\",\"how\":\"h\"}},\"models\":{\"m\":{\"source\":\"s\",\"output\":\"1\"}}}|an input price is required",
                "{\"date\":\"2026-12-03\",\"sources\":{\"s\":{\"url\":\"u\",\"read\":\"2026-12-03\",\"how\":\"h\"}},\"models\":{\"m\":{\"source\":\"s\",\"input\":\"1\",\"inptu\":\"2\"}}}|unknown key 'inptu'",
                "{\"date\":\"2026-12-03\",\"sources\":{\"s\":{\"url\":\"u\",\"read\":\"2026-12-03\",\"how\":\"h\"}},\"models\":{\"m\":{\"source\":\"s\",\"input\":\"1\",\"snapshots\":[\"latest\"]}}}|is not a date suffix",
                "{\"date\":\"2026-12-03\",\"sources\":{\"s\":{\"url\":\"u\",\"read\":\"2026-12-03\"}},\"models\":{}}|source s how is required"
            })
    void aBrokenTableIsRefusedNamingTheEntry(String json, String message) throws Exception {
        JsonNode root = JSON.readTree(json);
        assertThatThrownBy(() -> PriceTable.parse(root))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource({"0, 0", "2.50, 2500000", "0.000001, 1", "0.075, 75000", "10000, 10000000000", "007.5, 7500000"})
    void pricesParseExactly(String text, long micros) {
        assertThat(Micros.parsePrice(text, "p")).isEqualTo(micros);
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"0.0000001", "-1", "1e3", "10000.000001", "2,50", " 2.5", "NaN", "0x10", "", "1.", ".5"})
    void badPricesAreRefused(String text) {
        assertThatThrownBy(() -> Micros.parsePrice(text, "openai/gpt-4o input"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("openai/gpt-4o input");
    }

    @Test
    void moneyIsShownWithoutRounding() {
        assertThat(Micros.format(50_000_000)).isEqualTo("$50.00");
        assertThat(Micros.format(125)).isEqualTo("$0.000125");
        assertThat(Micros.format(49_999_999)).isEqualTo("$49.999999");
        assertThat(Micros.format(-1_500_000)).isEqualTo("-$1.50");
    }
}
