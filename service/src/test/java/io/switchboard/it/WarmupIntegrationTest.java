package io.switchboard.it;

import com.openai.models.chat.completions.ChatCompletionCreateParams;
import io.dropwizard.core.cli.Command;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.testing.ResourceHelpers;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.switchboard.SwitchboardApplication;
import io.switchboard.SwitchboardConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code gateway.warmup}: the {@code server} command runs a throwaway gateway of its own on
 * loopback before it starts the real one, which then serves as usual, logs to its own
 * configuration's appenders again, and counts none of the warm-up's requests as its own.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class WarmupIntegrationTest {

    private static final Path APP_LOG = Path.of("target", "warmup-test", "app.log");

    static {
        try {
            Files.deleteIfExists(APP_LOG);
            Files.deleteIfExists(Path.of("target", "warmup-test", "switchboard.db"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The application, with its own {@code server} command (the one {@code java -jar} runs). */
    public static class WithItsServerCommand extends SwitchboardApplication {

        Command server() {
            var bootstrap = new Bootstrap<>(this);
            addDefaultCommands(bootstrap);
            return bootstrap.getCommands().stream()
                    .filter(command -> command.getName().equals("server"))
                    .findFirst()
                    .orElseThrow();
        }
    }

    private static final DropwizardAppExtension<SwitchboardConfiguration> APP = new DropwizardAppExtension<>(
            WithItsServerCommand.class,
            ResourceHelpers.resourceFilePath("warmup-test-config.yml"),
            (String) null,
            application -> ((WithItsServerCommand) application).server());

    @Test
    void theWarmUpRanBeforeTheServerWhichServesAndCountsOnlyItsOwnRequests() throws Exception {
        String log = Files.readString(APP_LOG);
        assertThat(log)
                .contains("Warming up for up to 3 seconds (gateway.warmup)")
                .containsPattern("Warm-up: [1-9][0-9]* requests in [0-9.]+ s, [1-9][0-9]* answered, 0 failed");
        // Its lines are in the real log, after the warm-up: logging was set up again.
        assertThat(log.indexOf("Switchboard is up")).isGreaterThan(log.indexOf("Warm-up: "));

        String before = prometheus();
        assertThat(before).doesNotContain("model=\"builtin/echo\"").doesNotContain("model=\"echo\"");

        var answer = GatewayFixture.openAi(APP)
                .chat()
                .completions()
                .create(ChatCompletionCreateParams.builder()
                        .model("builtin/echo")
                        .addUserMessage("after the warm-up")
                        .build());
        assertThat(answer.choices().get(0).message().content()).hasValue("after the warm-up");
        assertThat(prometheus()).contains("model=\"echo\"");
    }

    private static String prometheus() throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(
                                        URI.create("http://127.0.0.1:" + APP.getAdminPort() + "/metrics/prometheus"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }
}
