package io.switchboard.provider.anthropic;

import io.dropwizard.configuration.ConfigurationException;
import io.dropwizard.configuration.ConfigurationFactory;
import io.dropwizard.configuration.ConfigurationSourceProvider;
import io.dropwizard.configuration.DefaultConfigurationFactoryFactory;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.provider.ProviderFactory;
import io.switchboard.provider.http.UpstreamSettings;
import io.switchboard.testing.ConfigSubstitution;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code type: anthropic} in config.yml: its defaults, its strictness, and its secrecy. */
class AnthropicProviderFactoryTest {

    /** Made the way Dropwizard makes it for the server command, strictness included. */
    private final ConfigurationFactory<SwitchboardConfiguration> factory = new DefaultConfigurationFactoryFactory<
                    SwitchboardConfiguration>()
            .create(SwitchboardConfiguration.class, Validators.newValidator(), Jackson.newObjectMapper(), "dw");

    private SwitchboardConfiguration parse(String yaml, Map<String, String> environment) throws Exception {
        ConfigurationSourceProvider inline = path -> new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8));
        return factory.build(
                new SubstitutingSourceProvider(inline, ConfigSubstitution.from(environment)), "config.yml");
    }

    private AnthropicProviderFactory only(String yaml) throws Exception {
        return (AnthropicProviderFactory) parse(yaml, Map.of()).providers().get(0);
    }

    @Test
    void defaults() throws Exception {
        var anthropic = only("providers:\n  - name: claude\n    type: anthropic\n    apiKey: sk-ant-secret\n");

        assertThat(anthropic.type()).isEqualTo("anthropic");
        assertThat(anthropic.baseUrl()).isEqualTo("https://api.anthropic.com");
        assertThat(anthropic.anthropicVersion()).isEqualTo(AnthropicVersion.V2023_06_01);
        assertThat(anthropic.disabledReason()).isEmpty();
        assertThat(anthropic.toString())
                .doesNotContain("sk-ant-secret")
                .contains("apiKey=[REDACTED]")
                .contains("anthropicVersion=2023-06-01")
                .contains("defaultMaxTokens=4096");
    }

    @Test
    void theNewerVersionIsAccepted() throws Exception {
        var anthropic = only("providers:\n  - name: claude\n    type: anthropic\n    apiKey: k\n"
                + "    anthropicVersion: \"2026-10-21\"\n");

        assertThat(anthropic.anthropicVersion()).isEqualTo(AnthropicVersion.V2026_10_21);
        assertThat(anthropic.anthropicVersion().bearerAuth()).isTrue();
        assertThat(anthropic.anthropicVersion().acceptsSampling()).isFalse();
    }

    @Test
    void aVersionThisCodeDoesNotKnowFailsStartupListingTheKnownOnes() {
        assertThatThrownBy(() -> only("providers:\n  - name: claude\n    type: anthropic\n    apiKey: k\n"
                        + "    anthropicVersion: \"2025-01-01\"\n"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("anthropicVersion")
                .hasMessageContaining("2023-06-01, 2026-10-21");
    }

    @Test
    void typoFailsNamingTheKey() {
        assertThatThrownBy(() -> only("providers:\n  - name: claude\n    type: anthropic\n    apiKey: k\n"
                        + "    defaultMaxToken: 10\n"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("defaultMaxToken");
    }

    @Test
    void defaultMaxTokensMustBePositive() {
        assertThatThrownBy(() -> only("providers:\n  - name: claude\n    type: anthropic\n    apiKey: k\n"
                        + "    defaultMaxTokens: 0\n"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("defaultMaxTokens");
    }

    @Test
    void anEmptyKeyDisablesTheEntryUnlessNoneIsRequired() throws Exception {
        assertThat(only("providers:\n  - name: claude\n    type: anthropic\n    apiKey: \"\"\n")
                        .disabledReason())
                .hasValueSatisfying(reason -> assertThat(reason).contains("apiKey is empty"));
        assertThat(only("providers:\n  - name: proxy\n    type: anthropic\n    baseUrl: http://127.0.0.1:9/\n"
                                + "    apiKeyRequired: false\n")
                        .disabledReason())
                .isEmpty();
    }

    @Test
    void theDefaultConfigHasAnAnthropicEntryThatTheKeyVariableSwitchesOn() throws Exception {
        String yaml = Files.readString(Path.of("..", "config.yml"));

        ProviderFactory off = parse(yaml, Map.of()).providers().stream()
                .filter(p -> p.name().equals("anthropic"))
                .findFirst()
                .orElseThrow();
        ProviderFactory on = parse(yaml, Map.of("ANTHROPIC_API_KEY", "sk-ant-from-env")).providers().stream()
                .filter(p -> p.name().equals("anthropic"))
                .findFirst()
                .orElseThrow();

        assertThat(off.type()).isEqualTo("anthropic");
        assertThat(off.disabledReason()).isPresent();
        assertThat(on.disabledReason()).isEmpty();
        assertThat(on.toString()).doesNotContain("sk-ant-from-env");
    }

    @Test
    void settingsNeverPrintTheKey() {
        var settings = new AnthropicSettings(
                new UpstreamSettings(
                        "claude",
                        "https://api.anthropic.com",
                        "sk-ant-secret",
                        Map.of("anthropic-beta", "x"),
                        List.of(),
                        true),
                AnthropicVersion.V2023_06_01,
                4096);

        assertThat(settings.toString()).doesNotContain("sk-ant-secret").contains("[REDACTED]");
    }
}
