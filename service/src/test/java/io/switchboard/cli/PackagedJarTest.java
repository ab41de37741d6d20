package io.switchboard.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

    /**
     * bin/switchboard on the built jar (a copy): {@code train} writes the cache, the next start
     * uses it, and a changed jar makes it stale, so the launcher leaves it out.
     */
    @Test
    void theLauncherTrainsItsCacheUsesItAndDropsItWhenTheJarChanges(@TempDir Path directory) throws Exception {
        String version = System.getProperty("switchboard.version");
        assumeTrue(version != null, "run by Maven's packaged-jar execution, which names the jar and version");
        Path jar = Files.copy(Path.of(System.getProperty("switchboard.jar")), directory.resolve("service.jar"));
        var environment = Map.of(
                "JAVA_HOME", System.getProperty("java.home"),
                "SWITCHBOARD_JAR", jar.toString(),
                "SWITCHBOARD_CACHE_DIR", directory.resolve("cache").toString());

        var trained = launcher(environment, "train", "--requests", "300");
        assertThat(trained.exitCode()).as(trained.output()).isZero();
        assertThat(trained.output())
                .contains("train: 300 requests")
                .contains("0 failed")
                .contains("cache written");

        var flags = launcher(environment, "--print-flags", "server", "config.yml");
        assertThat(flags.output())
                .contains("(fresh)")
                .containsAnyOf("-XX:SharedArchiveFile=" + directory.resolve("cache"), "-XX:AOTCache=");
        var withCache = launcher(environment, "--version");
        assertThat(withCache.exitCode()).as(withCache.output()).isZero();
        assertThat(withCache.output().strip()).isEqualTo(version);

        Files.setLastModifiedTime(jar, FileTime.fromMillis(System.currentTimeMillis() - 3_600_000));
        var stale = launcher(Map.of("SWITCHBOARD_CACHE", "use"), environment, "--print-flags", "server", "config.yml");
        assertThat(stale.output())
                .contains("(absent or stale)")
                .doesNotContain("SharedArchiveFile")
                .doesNotContain("AOTCache");
    }

    private static Result launcher(Map<String, String> environment, String... arguments)
            throws IOException, InterruptedException {
        return launcher(Map.of(), environment, arguments);
    }

    private static Result launcher(Map<String, String> more, Map<String, String> environment, String... arguments)
            throws IOException, InterruptedException {
        var command = new ArrayList<String>(
                List.of("bash", Path.of("..", "bin", "switchboard").toString()));
        command.addAll(List.of(arguments));
        var builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("SWITCHBOARD_JAVA_OPTS");
        builder.environment().putAll(environment);
        builder.environment().putAll(more);
        var process = builder.start();
        byte[] output = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(180, TimeUnit.SECONDS)).as("exited").isTrue();
        return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
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
