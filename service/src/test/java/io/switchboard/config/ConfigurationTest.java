package io.switchboard.config;

import io.dropwizard.configuration.ConfigurationException;
import io.dropwizard.configuration.ConfigurationFactory;
import io.dropwizard.configuration.ConfigurationSourceProvider;
import io.dropwizard.configuration.DefaultConfigurationFactoryFactory;
import io.dropwizard.configuration.FileConfigurationSourceProvider;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.provider.ProviderFactory;
import io.switchboard.testing.ConfigSubstitution;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * config.yml is parsed strictly: a typo fails startup naming the key; keys come from the
 * environment; the default file runs with no keys at all.
 */
class ConfigurationTest {

    private static final Path DEFAULT_CONFIG = Path.of("..", "config.yml");

    /** Made the way Dropwizard makes it for the server command, strictness included. */
    private final ConfigurationFactory<SwitchboardConfiguration> factory = new DefaultConfigurationFactoryFactory<
                    SwitchboardConfiguration>()
            .create(SwitchboardConfiguration.class, Validators.newValidator(), Jackson.newObjectMapper(), "dw");

    /** Reads YAML text with ${VAR:-default} resolved from {@code environment}, like the application does. */
    private SwitchboardConfiguration parse(String yaml, Map<String, String> environment) throws Exception {
        ConfigurationSourceProvider inline = path -> new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8));
        var substituting = new SubstitutingSourceProvider(inline, ConfigSubstitution.from(environment));
        return factory.build(substituting, "config.yml");
    }

    @Test
    void defaultConfigRunsWithNoKeys() throws Exception {
        var config = factory.build(
                new SubstitutingSourceProvider(
                        new FileConfigurationSourceProvider(), ConfigSubstitution.from(Map.of())),
                DEFAULT_CONFIG.toString());

        assertThat(config.providers()).extracting(ProviderFactory::name).startsWith("builtin", "openai");
        assertThat(config.providers().get(0).disabledReason()).isEmpty();
        assertThat(config.providers().subList(1, config.providers().size()))
                .allSatisfy(provider -> assertThat(provider.disabledReason()).isPresent());
        assertThat(config.gateway().defaultProvider()).isNull();
        assertThat(config.gateway().requestTimeout().toSeconds()).isEqualTo(300);
        assertThat(config.gateway().maxRequestSize().toBytes()).isEqualTo(10L * 1024 * 1024);
        assertThat(config.crossCheck()).isEmpty();
    }

    @Test
    void eachProviderOfTheDefaultConfigThatIsOffNamesTheVariableThatTurnsItOn() throws Exception {
        var config = parse(Files.readString(DEFAULT_CONFIG), Map.of());

        var reasons = new java.util.LinkedHashMap<String, String>();
        config.providers().stream()
                .filter(provider -> !provider.name().equals("builtin"))
                .forEach(provider ->
                        reasons.put(provider.name(), provider.disabledReason().orElseThrow()));
        assertThat(reasons)
                .containsKeys(
                        "openai",
                        "anthropic",
                        "gemini",
                        "groq",
                        "mistral",
                        "deepseek",
                        "together",
                        "openrouter",
                        "fireworks",
                        "xai",
                        "cerebras");
        assertThat(reasons.get("openai"))
                .isEqualTo("apiKey is read from OPENAI_API_KEY, which is not set; set"
                        + " OPENAI_API_KEY to enable this provider");
        reasons.forEach((name, reason) -> assertThat(reason)
                .as(name)
                .contains("set " + name.toUpperCase(java.util.Locale.ROOT) + "_API_KEY to enable this provider"));
    }

    @Test
    void keyFromTheEnvironmentEnablesAProvider() throws Exception {
        String yaml = Files.readString(DEFAULT_CONFIG);

        var config = parse(yaml, Map.of("GROQ_API_KEY", "gsk-from-env", "SWITCHBOARD_DEFAULT_PROVIDER", "groq"));

        var groq = config.providers().stream()
                .filter(p -> p.name().equals("groq"))
                .findFirst()
                .orElseThrow();
        assertThat(groq.disabledReason()).isEmpty();
        assertThat(groq.toString()).doesNotContain("gsk-from-env").contains("[REDACTED]");
        assertThat(config.gateway().defaultProvider()).isEqualTo("groq");
    }

    @Test
    void serverSettingsComeFromTheEnvironment() throws Exception {
        String yaml = Files.readString(DEFAULT_CONFIG);

        var config = parse(
                yaml,
                Map.of("SWITCHBOARD_PORT", "9090", "SWITCHBOARD_HOST", "127.0.0.1", "SWITCHBOARD_LOG_LEVEL", "DEBUG"));

        var server = (io.dropwizard.core.server.DefaultServerFactory) config.getServerFactory();
        var http = (io.dropwizard.jetty.HttpConnectorFactory)
                server.getApplicationConnectors().get(0);
        assertThat(http.getPort()).isEqualTo(9090);
        assertThat(http.getBindHost()).isEqualTo("127.0.0.1");
        var admin = (io.dropwizard.jetty.HttpConnectorFactory)
                server.getAdminConnectors().get(0);
        assertThat(admin.getBindHost()).isEqualTo("127.0.0.1");
        assertThat(admin.getPort()).isEqualTo(8081);
        var logging = (io.dropwizard.logging.common.DefaultLoggingFactory) config.getLoggingFactory();
        assertThat(logging.getLevel()).isEqualTo("DEBUG");
    }

    @Test
    void typoFailsNamingTheKey() {
        String yaml = "gateway:\n  requestTimout: 10s\nproviders:\n  - name: builtin\n    type: builtin\n";

        assertThatThrownBy(() -> parse(yaml, Map.of()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("requestTimout")
                .hasMessageContaining("gateway");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "logging:\n  level: VERBOSE\n",
                "logging:\n  level: INFO\n  loggers:\n    org.eclipse.jetty: WARNING\n",
                "logging:\n  loggers:\n    io.switchboard:\n      level: LOUD\n"
            })
    void anUnknownLogLevelIsRefusedListingTheKnownOnes(String yaml) {
        assertThatThrownBy(() -> parse(yaml + "providers:\n  - name: builtin\n    type: builtin\n", Map.of()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("logging.level, and each level under logging.loggers, must be one of OFF, ERROR,"
                        + " WARN, INFO, DEBUG, TRACE or ALL");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "logging:\n  level: warn\n",
                "logging:\n  level: OFF\n",
                "logging:\n  level: TRACE\n  loggers:\n    org.eclipse.jetty: ERROR\n    io.switchboard:\n      level: DEBUG\n"
            })
    void everyLevelLogbackKnowsIsAccepted(String yaml) throws Exception {
        assertThat(parse(yaml + "providers:\n  - name: builtin\n    type: builtin\n", Map.of())
                        .isLogLevelKnown())
                .isTrue();
    }

    @Test
    void typoInsideAProviderFailsNamingTheKey() {
        String yaml = "providers:\n  - name: x\n    type: openai\n    baseUrl: http://127.0.0.1:1/v1\n    apiKy: k\n";

        assertThatThrownBy(() -> parse(yaml, Map.of()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("apiKy");
    }

    @Test
    void unknownProviderTypeFailsListingTheKnownOnes() {
        String yaml = "providers:\n  - name: x\n    type: openia\n";

        assertThatThrownBy(() -> parse(yaml, Map.of()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("openia")
                .hasMessageContaining("openai")
                .hasMessageContaining("builtin");
    }

    @Test
    void providerNameWithASlashIsRefused() {
        String yaml = "providers:\n  - name: a/b\n    type: builtin\n";

        assertThatThrownBy(() -> parse(yaml, Map.of()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("name");
    }

    @Test
    void crossChecksCatchDuplicatesAndDanglingReferences() throws Exception {
        String yaml = """
                gateway:
                  defaultProvider: nowhere
                  aliases:
                    fast: missing/model
                    bare: no-slash
                providers:
                  - name: builtin
                    type: builtin
                  - name: builtin
                    type: builtin
                """;

        // Refused while the file is read and validated, as check and every command read it.
        assertThatThrownBy(() -> parse(yaml, Map.of()))
                .isInstanceOf(io.dropwizard.configuration.ConfigurationValidationException.class)
                .hasMessageContaining("'builtin' is used twice")
                .hasMessageContaining("gateway.defaultProvider")
                .hasMessageContaining("gateway.aliases.fast")
                .hasMessageContaining("gateway.aliases.bare");
    }
}
