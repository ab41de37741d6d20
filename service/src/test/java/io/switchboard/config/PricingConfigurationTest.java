package io.switchboard.config;

import io.dropwizard.configuration.ConfigurationException;
import io.dropwizard.configuration.ConfigurationFactory;
import io.dropwizard.configuration.ConfigurationSourceProvider;
import io.dropwizard.configuration.DefaultConfigurationFactoryFactory;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import io.switchboard.usage.ModelPrice;
import io.switchboard.usage.PriceTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code pricing:} is read strictly and exactly; a bad price fails startup naming it. */
class PricingConfigurationTest {

    /** Made as Dropwizard makes the server's, strictness included. */
    private final ConfigurationFactory<PricingConfiguration> factory = new DefaultConfigurationFactoryFactory<
                    PricingConfiguration>()
            .create(PricingConfiguration.class, Validators.newValidator(), Jackson.newObjectMapper(), "dw");

    private PricingConfiguration parse(String yaml) throws Exception {
        ConfigurationSourceProvider inline = path -> new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8));
        return factory.build(inline, "config.yml");
    }

    @Test
    void overridesWinOverTheTableAndKeepEveryDecimal() throws Exception {
        PricingConfiguration config = parse("""
                overrides:
                  "openai/gpt-4o": {input: "2.75", output: 11.000001, cachedRead: "1.375", cacheWrite: null}
                  "ollama/*": {input: 0, output: 0, cachedRead: 0}
                defaultOutputTokens: 1024
                """);

        PriceTable table = config.build(Jackson.newObjectMapper());
        ModelPrice gpt4o = table.find("openai", "gpt-4o").orElseThrow();
        assertThat(gpt4o.source()).isEqualTo("config");
        assertThat(gpt4o.rates().input()).hasValue(2_750_000);
        assertThat(gpt4o.rates().output())
                .as("a YAML number, read as an exact decimal")
                .hasValue(11_000_001);
        assertThat(gpt4o.rates().cacheWrite()).isEqualTo(OptionalLong.empty());
        assertThat(table.find("ollama", "llama3:8b").orElseThrow().rates().output())
                .hasValue(0);
        assertThat(table.find("azure", "gpt-4o").orElseThrow().source()).isEqualTo("openai");
        assertThat(config.defaultOutputTokens()).isEqualTo(1024);
    }

    @Test
    void theDefaultsAreTheTableAlone() throws Exception {
        PricingConfiguration config = parse("{}");

        assertThat(config.overrides()).isEmpty();
        assertThat(config.defaultOutputTokens()).isEqualTo(4096);
        assertThat(config.build(Jackson.newObjectMapper()).overrides()).isEmpty();
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "overrides: {\"openai/gpt-4o\": {input: \"2.50\", outptu: \"10\"}}|outptu",
                "overrides: {\"openai/gpt-4o\": {input: \"-1\"}}|must be greater than or equal to 0",
                "overrides: {\"openai/gpt-4o\": {input: \"0.0000001\"}}|numeric value out of bounds",
                "overrides: {\"openai/gpt-4o\": {input: \"10000.5\"}}|must be less than or equal to 10000",
                "overrides: {\"openai/gpt-4o\": {output: \"1\"}}|is required: the input price",
                "overrides: {\"gpt-4o\": {input: \"1\"}}|must be provider/model or provider/*",
                "overrides: {\"openai/gpt 4o\": {input: \"1\"}}|must be provider/model or provider/*",
                "overrides: {\"openai/gpt-4o\": {input: \"two\"}}|overrides.openai/gpt-4o.input",
                "defaultOutputTokens: 0|must be greater than or equal to 1",
                "pricing: {}|pricing"
            })
    void badPricingFailsStartupNamingWhatIsWrong(String yaml, String message) {
        assertThatThrownBy(() -> parse(yaml))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining(message);
    }
}
