package io.switchboard.provider.azure;

import io.dropwizard.configuration.ConfigurationException;
import io.dropwizard.configuration.ConfigurationFactory;
import io.dropwizard.configuration.DefaultConfigurationFactoryFactory;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import io.switchboard.SwitchboardConfiguration;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code type: azure} entries as config.yml spells them, and the URLs they make. */
class AzureConfigurationTest {

    private final ConfigurationFactory<SwitchboardConfiguration> factory = new DefaultConfigurationFactoryFactory<
                    SwitchboardConfiguration>()
            .create(SwitchboardConfiguration.class, Validators.newValidator(), Jackson.newObjectMapper(), "dw");

    private SwitchboardConfiguration parse(String providerYaml) throws Exception {
        String yaml = "providers:\n" + providerYaml;
        return factory.build(path -> new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "config.yml");
    }

    @Test
    void deploymentsAsAMapOrAListAndTheDefaultApiVersion() throws Exception {
        var config = parse("""
                  - name: azure
                    type: azure
                    endpoint: https://my-resource.openai.azure.com/
                    apiKey: secret-key
                    deployments:
                      gpt-4o: prod-gpt4o
                      text-embedding-3-small: embed
                  - name: listed
                    type: azure
                    endpoint: https://other.openai.azure.com
                    apiKeyRequired: false
                    deployments: [o4-mini]
                """);

        var azure = (AzureProviderFactory) config.providers().get(0);
        assertThat(azure.type()).isEqualTo("azure");
        assertThat(azure.baseUrl()).isEqualTo("https://my-resource.openai.azure.com/openai");
        assertThat(azure.disabledReason()).isEmpty();
        assertThat(azure.toString())
                .contains("apiKey=[REDACTED]", "apiVersion=2024-10-21")
                .doesNotContain("secret-key");
        assertThat(((AzureProviderFactory) config.providers().get(1)).toString())
                .contains("deployments={o4-mini=o4-mini}");
    }

    @Test
    void anEmptyKeyDisablesTheEntry() throws Exception {
        var config = parse("""
                  - name: azure
                    type: azure
                    endpoint: https://my-resource.openai.azure.com
                    apiKey: ""
                """);

        assertThat(config.providers().get(0).disabledReason())
                .hasValueSatisfying(reason -> assertThat(reason).contains("apiKey is empty"));
    }

    @Test
    void aMistypedEntryFailsStartup() {
        assertThatThrownBy(() -> parse("""
                  - name: azure
                    type: azure
                    endpoint: https://my-resource.openai.azure.com
                    deployments: prod-gpt4o
                """))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("deployments must be a map");
        assertThatThrownBy(() -> parse("""
                  - name: azure
                    type: azure
                    endpoint: https://my-resource.openai.azure.com
                    deployments:
                      gpt-4o: "prod gpt4o"
                """))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("is not a deployment name");
        assertThatThrownBy(() -> parse("""
                  - name: azure
                    type: azure
                    endpoint: https://my-resource.openai.azure.com
                    deploymentz: [gpt-4o]
                """))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("deploymentz");
        assertThatThrownBy(() -> parse("""
                  - name: azure
                    type: azure
                """))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("endpoint");
    }

    @Test
    void urlsNameTheDeploymentAndTheVersion() {
        var deployments = new LinkedHashMap<String, String>();
        deployments.put("gpt-4o", "prod-gpt4o");
        var routes = new AzureDeploymentRoutes("https://r.openai.azure.com", "2024-10-21", deployments);

        assertThat(routes.url("/chat/completions", "gpt-4o"))
                .isEqualTo(
                        "https://r.openai.azure.com/openai/deployments/prod-gpt4o/chat/completions?api-version=2024-10-21");
        assertThat(routes.url("/embeddings", "unlisted"))
                .isEqualTo("https://r.openai.azure.com/openai/deployments/unlisted/embeddings?api-version=2024-10-21");
        assertThat(routes.url("/chat/completions", "a b/c"))
                .isEqualTo(
                        "https://r.openai.azure.com/openai/deployments/a%20b%2Fc/chat/completions?api-version=2024-10-21");
        assertThat(routes.modelsUrl()).isEmpty();
        assertThat(AzureDeployments.of(Map.of("x", "y")).byModel()).containsEntry("x", "y");
    }
}
