package io.switchboard.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code train}, in-process: it boots the whole gateway on loopback from its own configuration,
 * sends the hot-path mix over HTTP (through the builtin provider, and through an OpenAI-type
 * provider whose upstream is the gateway itself), and reports every answer as expected.
 */
class TrainCommandTest {

    @Test
    void trainingSendsTheMixThroughTheRealStackAndEveryAnswerIsRight() throws IOException {
        Set<Path> before = trainings();

        var result = CommandRunner.run("train", "--requests", "220", "--concurrency", "4", "--seconds", "60");

        assertThat(result.exitCode()).as(result.err()).isZero();
        // 220 requests: 20 rounds of the mix (JSON and streamed chat both ways, Messages, Responses, models).
        assertThat(result.out()).contains("train: 220 requests in ").contains("220 answered, 0 failed");
        // Its temporary directory (configuration, logs, database) is gone after a run that went well.
        assertThat(trainings()).isEqualTo(before);
    }

    /** The training directories in java.io.tmpdir. */
    private static Set<Path> trainings() throws IOException {
        try (Stream<Path> entries = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return entries.filter(path -> path.getFileName().toString().startsWith("switchboard-train-"))
                    .collect(Collectors.toSet());
        }
    }

    @Test
    void nonsenseSettingsAreRefusedInOneLine() {
        var result = CommandRunner.run("train", "--concurrency", "0");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err().strip())
                .isEqualTo("train: --requests and --seconds must be at least 1, --concurrency 1 to 1024");
    }
}
