package io.switchboard.it;

import com.openai.models.chat.completions.ChatCompletionCreateParams;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.ResourceHelpers;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.switchboard.SwitchboardConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code gateway.warmup} when the training fails: here the throwaway gateway cannot be built
 * (the application refuses the training's configuration, after that configuration's logging
 * replaced the process's). The failure is one warning in the real log, the real gateway starts
 * anyway, logs to its own appenders and serves, and the training's directory is kept for a look.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class FailedWarmupIntegrationTest {

    private static final Path APP_LOG = Path.of("target", "failed-warmup-test", "app.log");
    private static final Path TMP = Path.of(System.getProperty("java.io.tmpdir"));
    private static final Set<Path> TRAININGS_BEFORE;

    static {
        try {
            Files.deleteIfExists(APP_LOG);
            Files.deleteIfExists(Path.of("target", "failed-warmup-test", "switchboard.db"));
            TRAININGS_BEFORE = trainings();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Its own {@code server} command, and no gateway built from the training's configuration. */
    public static class WhoseTrainingCannotStart extends WarmupIntegrationTest.WithItsServerCommand {

        @Override
        public void run(SwitchboardConfiguration config, Environment environment) {
            if (config.providers().stream().anyMatch(provider -> provider.name().equals("loop"))) {
                throw new IllegalStateException("no training gateway in this test");
            }
            super.run(config, environment);
        }
    }

    private static final DropwizardAppExtension<SwitchboardConfiguration> APP = new DropwizardAppExtension<>(
            WhoseTrainingCannotStart.class,
            ResourceHelpers.resourceFilePath("warmup-test-config.yml"),
            (String) null,
            application -> ((WhoseTrainingCannotStart) application).server(),
            ConfigOverride.config("logging.appenders[0].currentLogFilename", APP_LOG.toString()),
            ConfigOverride.config(
                    "server.requestLog.appenders[0].currentLogFilename", "target/failed-warmup-test/access.log"),
            ConfigOverride.config("database.url", "jdbc:sqlite:target/failed-warmup-test/switchboard.db"));

    @AfterAll
    static void removeTheKeptTraining() throws IOException {
        for (Path kept : newTrainings()) {
            try (Stream<Path> paths = Files.walk(kept)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            }
        }
    }

    @Test
    void theServerStartsServesAndLogsAfterAFailedWarmUp() throws Exception {
        String log = Files.readString(APP_LOG);
        assertThat(log)
                .contains("Warming up for up to 3 seconds (gateway.warmup)")
                .contains("WARN")
                .contains("Warm-up failed, starting without it: java.lang.IllegalStateException:"
                        + " no training gateway in this test")
                .doesNotContain("Warm-up: ");
        // Logging was set up again after the training's replaced it: the real start is in this log.
        assertThat(log.indexOf("Switchboard is up")).isGreaterThan(log.indexOf("Warm-up failed"));

        var answer = GatewayFixture.openAi(APP)
                .chat()
                .completions()
                .create(ChatCompletionCreateParams.builder()
                        .model("builtin/echo")
                        .addUserMessage("despite the warm-up")
                        .build());
        assertThat(answer.choices().get(0).message().content()).hasValue("despite the warm-up");

        // The failed training kept its directory, with its configuration and its own log in it.
        List<Path> kept = newTrainings();
        assertThat(kept).hasSize(1);
        assertThat(kept.get(0).resolve("train.yml")).exists();
        assertThat(kept.get(0).resolve("switchboard.log")).exists();
    }

    private static List<Path> newTrainings() throws IOException {
        return trainings().stream()
                .filter(dir -> !TRAININGS_BEFORE.contains(dir))
                .toList();
    }

    static Set<Path> trainings() throws IOException {
        try (Stream<Path> entries = Files.list(TMP)) {
            return entries.filter(path -> path.getFileName().toString().startsWith("switchboard-train-"))
                    .collect(Collectors.toSet());
        }
    }
}
