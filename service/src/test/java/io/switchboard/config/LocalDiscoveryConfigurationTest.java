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
import io.switchboard.provider.openai.OpenAiProviderFactory;
import io.switchboard.registry.ProviderSource;
import io.switchboard.registry.RuntimeKind;
import io.switchboard.testing.ConfigSubstitution;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

/** {@code gateway.localDiscovery} and the Gemini and Azure presets, as config.yml spells them. */
class LocalDiscoveryConfigurationTest {

    private final ConfigurationFactory<SwitchboardConfiguration> factory = new DefaultConfigurationFactoryFactory<
                    SwitchboardConfiguration>()
            .create(SwitchboardConfiguration.class, Validators.newValidator(), Jackson.newObjectMapper(), "dw");

    private SwitchboardConfiguration parse(String yaml) throws Exception {
        ConfigurationSourceProvider inline = path -> new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8));
        return factory.build(inline, "config.yml");
    }

    private SwitchboardConfiguration defaultConfig(Map<String, String> environment) throws Exception {
        return factory.build(
                new SubstitutingSourceProvider(
                        new FileConfigurationSourceProvider(), ConfigSubstitution.from(environment)),
                "../config.yml");
    }

    @Test
    void onByDefaultWithAShortTimeoutAndTheFourRuntimesOnTheirPorts() throws Exception {
        var discovery = parse("providers: []").gateway().localDiscovery();

        assertThat(discovery.enabled()).isTrue();
        assertThat(discovery.timeout().toMilliseconds()).isEqualTo(500);
        assertThat(discovery.runtimes())
                .extracting(LocalRuntimeConfiguration::name, LocalRuntimeConfiguration::baseUrl)
                .containsExactly(
                        tuple("ollama", "http://127.0.0.1:11434/v1"),
                        tuple("lmstudio", "http://127.0.0.1:1234/v1"),
                        tuple("llamacpp", "http://127.0.0.1:8080/v1"),
                        tuple("vllm", "http://127.0.0.1:8000/v1"));
    }

    @Test
    void theDefaultConfigHasGeminiOffWithoutAKeyAndDiscoverySwitchableByEnvironment() throws Exception {
        var config = defaultConfig(Map.of());
        assertThat(config.gateway().localDiscovery().enabled()).isTrue();
        var gemini = config.providers().stream()
                .filter(provider -> provider.name().equals("gemini"))
                .findFirst()
                .orElseThrow();
        assertThat(gemini.type()).isEqualTo("gemini");
        assertThat(gemini.baseUrl()).isEqualTo("https://generativelanguage.googleapis.com/v1beta");
        assertThat(gemini.disabledReason()).isPresent();
        assertThat(config.providers()).extracting(ProviderFactory::type).doesNotContain("azure");

        var keyed = defaultConfig(Map.of("GEMINI_API_KEY", "AIza-key", "SWITCHBOARD_LOCAL_DISCOVERY", "false"));
        assertThat(keyed.gateway().localDiscovery().enabled()).isFalse();
        assertThat(keyed.providers().stream()
                        .filter(provider -> provider.name().equals("gemini"))
                        .findFirst()
                        .orElseThrow()
                        .disabledReason())
                .isEmpty();
        assertThat(keyed.providers().stream()
                        .filter(provider -> provider.name().equals("gemini"))
                        .findFirst()
                        .orElseThrow()
                        .toString())
                .contains("apiKey=[REDACTED]")
                .doesNotContain("AIza-key");
    }

    @Test
    void runtimesCanBeReplacedAndMistakesFailStartup() throws Exception {
        var config = parse("""
                gateway:
                  localDiscovery:
                    timeout: 250ms
                    runtimes:
                      - name: gpu-box
                        kind: vllm
                        label: vLLM on the GPU box
                        baseUrl: http://10.0.0.7:8000/v1/
                      - name: llamacpp
                        label: llama.cpp server on another port
                        baseUrl: http://127.0.0.1:8089/v1
                """);
        assertThat(config.gateway().localDiscovery().runtimes())
                .extracting(LocalRuntimeConfiguration::baseUrl, LocalRuntimeConfiguration::kind)
                .containsExactly(
                        tuple("http://10.0.0.7:8000/v1", Optional.of(RuntimeKind.VLLM)),
                        // The name says the kind when it is one of the four.
                        tuple("http://127.0.0.1:8089/v1", Optional.of(RuntimeKind.LLAMACPP)));

        // Which runtime must answer cannot be guessed from any other name, nor be one discovery does not know.
        assertThatThrownBy(() -> parse("gateway:\n  localDiscovery:\n    runtimes:\n"
                        + "      - {name: gpu-box, label: A, baseUrl: 'http://127.0.0.1:1/v1'}\n"))
                .hasMessageContaining("gateway.localDiscovery.runtimes[0].kind: 'gpu-box' needs a kind, the runtime it"
                        + " must be recognised as (one of ollama, lmstudio, llamacpp, vllm)");
        assertThatThrownBy(() -> parse("gateway:\n  localDiscovery:\n    runtimes:\n"
                        + "      - {name: gpu-box, kind: tgi, label: A, baseUrl: 'http://127.0.0.1:1/v1'}\n"))
                .hasMessageContaining("kind")
                .hasMessageContaining("must be one of ollama, lmstudio, llamacpp, vllm");

        assertThatThrownBy(() -> parse("gateway:\n  localDiscovery:\n    enable: false\n"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("enable");
        assertThatThrownBy(() -> parse("gateway:\n  localDiscovery:\n    runtimes:\n      - name: a/b\n"
                        + "        label: x\n        baseUrl: http://127.0.0.1:1/v1\n"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("no '/'");
        assertThatThrownBy(() -> parse("gateway:\n  localDiscovery:\n    runtimes:\n"
                        + "      - {name: ollama, label: A, baseUrl: 'http://127.0.0.1:1/v1'}\n"
                        + "      - {name: ollama, label: B, baseUrl: 'http://127.0.0.1:2/v1'}\n"))
                .hasMessageContaining("gateway.localDiscovery.runtimes: the name 'ollama' is used twice");
    }

    @Test
    void switchedOffThereIsNothingToFind() throws Exception {
        var config = parse("gateway:\n  localDiscovery:\n    enabled: false\n");

        assertThat(config.gateway()
                        .localDiscovery()
                        .build(config.providers(), Set::of, null, OpenAiProviderFactory::keyless))
                .isSameAs(ProviderSource.NONE);
    }
}
