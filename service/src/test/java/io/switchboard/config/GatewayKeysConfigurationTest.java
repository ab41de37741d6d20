package io.switchboard.config;

import io.dropwizard.configuration.ConfigurationException;
import io.dropwizard.configuration.ConfigurationFactory;
import io.dropwizard.configuration.ConfigurationSourceProvider;
import io.dropwizard.configuration.DefaultConfigurationFactoryFactory;
import io.dropwizard.configuration.FileConfigurationSourceProvider;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import io.dropwizard.jetty.HttpConnectorFactory;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.auth.ApiKeys;
import io.switchboard.testing.ConfigSubstitution;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code gateway.apiKeys}, {@code apiKeysFile}, {@code rateLimit} and the connector limits as
 * config.yml sets them: keys from one comma-separated variable or a YAML list, hashed as they are
 * read and never kept.
 */
class GatewayKeysConfigurationTest {

    private static final Path DEFAULT_CONFIG = Path.of("..", "config.yml");

    private final ConfigurationFactory<SwitchboardConfiguration> factory = new DefaultConfigurationFactoryFactory<
                    SwitchboardConfiguration>()
            .create(SwitchboardConfiguration.class, Validators.newValidator(), Jackson.newObjectMapper(), "dw");

    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path directory;

    private SwitchboardConfiguration parse(String yaml, Map<String, String> environment) throws Exception {
        ConfigurationSourceProvider inline = path -> new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8));
        return factory.build(
                new SubstitutingSourceProvider(inline, ConfigSubstitution.from(environment)), "config.yml");
    }

    private SwitchboardConfiguration defaultConfig(Map<String, String> environment) throws Exception {
        return factory.build(
                new SubstitutingSourceProvider(
                        new FileConfigurationSourceProvider(), ConfigSubstitution.from(environment)),
                DEFAULT_CONFIG.toString());
    }

    @Test
    void theDefaultConfigHasNoKeysAndNoLimitUntilTheEnvironmentSetsThem() throws Exception {
        var config = defaultConfig(Map.of());
        assertThat(config.gateway().apiKeyHashes()).isEmpty();
        assertThat(config.gateway().apiKeysFile()).isNull();
        assertThat(config.gateway().rateLimit().requestsPerMinute()).isZero();
        assertThat(config.gateway().requestReadTimeout().toSeconds()).isEqualTo(60);
    }

    @Test
    void keysComeFromOneCommaSeparatedVariableAndAreHashedAsTheyAreRead() throws Exception {
        var keysFile = java.nio.file.Files.writeString(directory.resolve("keys"), ApiKeys.sha256Hex("sb-four") + "\n");
        var config = defaultConfig(Map.of(
                "SWITCHBOARD_API_KEYS",
                "sb-one, sb-two,,sb-three ",
                "SWITCHBOARD_API_KEYS_FILE",
                keysFile.toString(),
                "SWITCHBOARD_RATE_LIMIT_RPM",
                "600"));

        assertThat(config.gateway().apiKeyHashes())
                .containsExactly(
                        ApiKeys.sha256Hex("sb-one"), ApiKeys.sha256Hex("sb-two"), ApiKeys.sha256Hex("sb-three"));
        assertThat(config.gateway().apiKeysFile()).isEqualTo(keysFile.toString());
        assertThat(config.gateway().rateLimit().requestsPerMinute()).isEqualTo(600);
        assertThat(config.toString() + config.gateway()).doesNotContain("sb-one");
    }

    @Test
    void keysMayBeAYamlListWithUnsetVariablesSkipped() throws Exception {
        var config = parse(
                """
                gateway:
                  apiKeys:
                    - ${TEAM_A_KEY:-}
                    - ${TEAM_B_KEY:-}
                    - sb-literal
                  rateLimit:
                    requestsPerMinute: 60
                    perKey:
                      %s: 0
                """.formatted(ApiKeys.sha256Hex("sb-literal").substring(0, 12)), Map.of("TEAM_A_KEY", "sb-team-a"));

        assertThat(config.gateway().apiKeyHashes())
                .containsExactly(ApiKeys.sha256Hex("sb-team-a"), ApiKeys.sha256Hex("sb-literal"));
        assertThat(config.gateway().rateLimit().perKey())
                .containsEntry(ApiKeys.sha256Hex("sb-literal").substring(0, 12), 0);
    }

    @Test
    void anUnsetVariableWithoutADefaultIsNotTakenAsAKey() {
        assertThatThrownBy(() -> parse("gateway:\n  apiKeys: ${SWITCHBOARD_API_KEYS}\n", Map.of()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("environment variable that is not set");
    }

    @Test
    void aNegativeRateIsRefusedAtStartup() {
        assertThatThrownBy(() -> parse("gateway:\n  rateLimit:\n    requestsPerMinute: -1\n", Map.of()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("gateway.rateLimit.requestsPerMinute");
    }

    @Test
    void theDefaultConfigSetsTheConnectorLimitsExplicitly() throws Exception {
        var server = (DefaultServerFactory) defaultConfig(Map.of()).getServerFactory();
        var connector = (HttpConnectorFactory) server.getApplicationConnectors().get(0);

        assertThat(connector.getMaxRequestHeaderSize().toKibibytes()).isEqualTo(8);
        assertThat(connector.getIdleTimeout().toSeconds()).isEqualTo(30);
        assertThat(connector.getMinRequestDataPerSecond().toBytes()).isEqualTo(1024);
        var admin = (HttpConnectorFactory) server.getAdminConnectors().get(0);
        assertThat(admin.getBindHost()).isEqualTo("127.0.0.1");
    }

    @Test
    void aBaseUrlWithCredentialsIsRefusedWithoutRepeatingThem() {
        assertThatThrownBy(() -> parse("""
                providers:
                  - name: proxied
                    type: openai
                    baseUrl: https://user:pa55word@llm.example.com/v1
                    apiKeyRequired: false
                """, Map.of()))
                .isInstanceOf(io.dropwizard.configuration.ConfigurationValidationException.class)
                .hasMessageContaining("'proxied'")
                .hasMessageContaining("user or password")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("pa55word"));
    }
}
