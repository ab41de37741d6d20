package io.switchboard.it;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.models.Model;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.switchboard.SwitchboardApplication;
import io.switchboard.SwitchboardConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The repository's own config.yml, unchanged but for the ports, with no keys and no network:
 * the official SDK lists models and chats with the builtin provider.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class DefaultConfigIntegrationTest {

    private static final DropwizardAppExtension<SwitchboardConfiguration> APP = new DropwizardAppExtension<>(
            SwitchboardApplication.class,
            Path.of("..", "config.yml").toAbsolutePath().toString(),
            ConfigOverride.config("server.applicationConnectors[0].port", "0"),
            ConfigOverride.config("server.applicationConnectors[0].bindHost", "127.0.0.1"),
            ConfigOverride.config("server.adminConnectors[0].port", "0"));

    @Test
    void officialSdkWorksAgainstTheDefaultConfig() {
        OpenAIClient client = OpenAIOkHttpClient.builder()
                .baseUrl("http://127.0.0.1:" + APP.getLocalPort() + "/v1")
                .apiKey("unused")
                .maxRetries(0)
                .build();

        assertThat(client.models().list().data()).extracting(Model::id).contains("builtin/echo", "echo");

        var completion = client.chat()
                .completions()
                .create(ChatCompletionCreateParams.builder()
                        .model("echo")
                        .addSystemMessage("You are terse.")
                        .addUserMessage("Hello, Switchboard!")
                        .build());
        assertThat(completion.choices().get(0).message().content()).contains("Hello, Switchboard!");
        assertThat(completion.model()).isEqualTo("echo");

        var streamed = new StringBuilder();
        try (var stream = client.chat()
                .completions()
                .createStreaming(ChatCompletionCreateParams.builder()
                        .model("builtin/echo")
                        .addUserMessage("streams word by word")
                        .build())) {
            stream.stream()
                    .forEach(chunk ->
                            chunk.choices().forEach(c -> c.delta().content().ifPresent(streamed::append)));
        }
        assertThat(streamed.toString()).isEqualTo("streams word by word");
    }
}
