package io.switchboard.config;

import io.dropwizard.configuration.ConfigurationException;
import io.dropwizard.configuration.ConfigurationFactory;
import io.dropwizard.configuration.ConfigurationSourceProvider;
import io.dropwizard.configuration.DefaultConfigurationFactoryFactory;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.tracing.Tracing;
import org.apache.commons.text.StringSubstitutor;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The {@code tracing:} block: the default config.yml, its environment variables, and what is refused. */
class TracingConfigurationTest {

    private static final Path DEFAULT_CONFIG = Path.of("..", "config.yml");
    private static final String PROVIDERS = "providers:\n  - name: builtin\n    type: builtin\n";

    private final ConfigurationFactory<SwitchboardConfiguration> factory = new DefaultConfigurationFactoryFactory<
                    SwitchboardConfiguration>()
            .create(SwitchboardConfiguration.class, Validators.newValidator(), Jackson.newObjectMapper(), "dw");

    private SwitchboardConfiguration parse(String yaml, Map<String, String> environment) throws Exception {
        ConfigurationSourceProvider inline = path -> new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8));
        return factory.build(new SubstitutingSourceProvider(inline, new StringSubstitutor(environment)), "config.yml");
    }

    @Test
    void theDefaultConfigHasTracingOff() throws Exception {
        var settings =
                parse(Files.readString(DEFAULT_CONFIG), Map.of()).tracing().settings();

        assertThat(settings.enabled()).isFalse();
        assertThat(settings.tracesUrl()).isEqualTo("http://127.0.0.1:4318/v1/traces");
        assertThat(settings.serviceName()).isEqualTo("switchboard");
        assertThat(settings.sampleRatio()).isEqualTo(1.0);
        assertThat(settings.headers()).isEmpty();
        assertThat(settings.exportInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(Tracing.of(settings).enabled()).isFalse();
    }

    @Test
    void theDefaultConfigTakesTracingFromTheStandardVariables() throws Exception {
        var config = parse(
                Files.readString(DEFAULT_CONFIG),
                Map.of(
                        "SWITCHBOARD_TRACING", "true",
                        "OTEL_EXPORTER_OTLP_ENDPOINT", "https://collector.example:4318/",
                        "OTEL_SERVICE_NAME", "gateway-eu"));

        var settings = config.tracing().settings();
        assertThat(settings.enabled()).isTrue();
        assertThat(settings.tracesUrl()).isEqualTo("https://collector.example:4318/v1/traces");
        assertThat(settings.serviceName()).isEqualTo("gateway-eu");
    }

    @Test
    void headersWithoutAValueAreNotSentAndValuesAreNeverPrinted() throws Exception {
        var config = parse(
                PROVIDERS + "tracing:\n  headers:\n    Authorization: \"${OTLP_AUTH:-}\"\n    X-Api-Key: \"${KEY}\"\n",
                Map.of("KEY", "collector-secret-value"));

        var settings = config.tracing().settings();
        assertThat(settings.headers()).isEqualTo(new LinkedHashMap<>(Map.of("X-Api-Key", "collector-secret-value")));
        assertThat(settings.toString()).contains("X-Api-Key").doesNotContain("collector-secret-value");
    }

    @Test
    void anEndpointThatIsNotAnHttpUrlIsRefusedWhenTracingIsOn() {
        assertThatThrownBy(() -> parse(PROVIDERS + "tracing:\n  enabled: true\n  endpoint: collector:4318\n", Map.of()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("tracing.endpoint must be an http:// or https:// URL");
    }

    @Test
    void aSampleRatioOutsideZeroToOneIsRefused() {
        assertThatThrownBy(() -> parse(PROVIDERS + "tracing:\n  sampleRatio: 1.5\n", Map.of()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("tracing.sampleRatio");
    }

    @Test
    void aMisspelledKeyIsRefusedNamingIt() {
        assertThatThrownBy(() -> parse(PROVIDERS + "tracing:\n  endpont: http://127.0.0.1:4318\n", Map.of()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("endpont");
    }
}
