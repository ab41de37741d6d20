package io.switchboard.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs a process to its end with a bound: its output (stdout and stderr, merged) goes to a file,
 * read once it exited, so a process that hangs fails the test after {@code limit} (and is
 * killed) instead of blocking a read for ever.
 */
final class ChildProcess {

    private ChildProcess() {}

    record Result(int exitCode, String output) {}

    static Result run(ProcessBuilder builder, Duration limit) throws IOException, InterruptedException {
        Path output = Files.createTempFile("switchboard-child-", ".out");
        try {
            var process = builder.redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .start();
            boolean exited = process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
            if (!exited) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            String text = Files.readString(output, StandardCharsets.UTF_8);
            assertThat(exited)
                    .as("%s exited within %s; its output:%n%s", builder.command(), limit, text)
                    .isTrue();
            return new Result(process.exitValue(), text);
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
