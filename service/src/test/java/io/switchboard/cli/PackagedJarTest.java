package io.switchboard.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The jar {@code mvn package} builds, run as the README runs it. Not part of the unit-test run:
 * Maven runs it in the verify phase, once the jar exists, and passes its path and the project
 * version ({@code switchboard.jar}, {@code switchboard.version}).
 */
class PackagedJarTest {

    @Test
    void versionPrintsTheProjectVersion() throws Exception {
        String version = System.getProperty("switchboard.version");
        assumeTrue(version != null, "run by Maven's packaged-jar execution, which names the jar and version");

        var result = java("-jar", Path.of(System.getProperty("switchboard.jar")).toString(), "--version");

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output().strip()).isEqualTo(version);
    }

    private record Result(int exitCode, String output) {}

    private static Result java(String... arguments) throws IOException, InterruptedException {
        var command = new ArrayList<String>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(arguments));
        var process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("exited").isTrue();
        return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }
}
