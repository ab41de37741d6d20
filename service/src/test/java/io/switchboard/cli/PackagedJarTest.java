package io.switchboard.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
        // The JVM itself takes the cache: the printed command line, run with the cache required
        // (an archive it cannot map is then a hard error, not a silent start without it) and
        // with class loading logged, loads the gateway's own classes from it.
        var withCache = java(withCacheRequired(flags.output()));
        assertThat(withCache.exitCode()).as(withCache.output()).isZero();
        assertThat(withCache.output())
                .containsPattern("io\\.switchboard\\.SwitchboardApplication source: shared objects file")
                .contains(version);

        Files.setLastModifiedTime(jar, FileTime.fromMillis(System.currentTimeMillis() - 3_600_000));
        var stale = launcher(Map.of("SWITCHBOARD_CACHE", "use"), environment, "--print-flags", "server", "config.yml");
        assertThat(stale.output())
                .contains("(absent or stale)")
                .doesNotContain("SharedArchiveFile")
                .doesNotContain("AOTCache");
    }

    private static ChildProcess.Result launcher(Map<String, String> environment, String... arguments)
            throws IOException, InterruptedException {
        return launcher(Map.of(), environment, arguments);
    }

    private static ChildProcess.Result launcher(
            Map<String, String> more, Map<String, String> environment, String... arguments)
            throws IOException, InterruptedException {
        var command = new ArrayList<String>(
                List.of("bash", Path.of("..", "bin", "switchboard").toString()));
        command.addAll(List.of(arguments));
        var builder = new ProcessBuilder(command);
        builder.environment().remove("SWITCHBOARD_JAVA_OPTS");
        builder.environment().putAll(environment);
        builder.environment().putAll(more);
        return ChildProcess.run(builder, Duration.ofSeconds(180));
    }

    /**
     * The java command line {@code --print-flags} printed (its last line, words without quoting:
     * the test's paths have no spaces), made to fail without the cache, log where each class came
     * from, and print the version instead of starting the server.
     */
    private static String[] withCacheRequired(String printed) {
        var lines = printed.strip().lines().toList();
        var words = new ArrayList<>(List.of(lines.get(lines.size() - 1).split(" ")));
        assertThat(words.subList(words.size() - 2, words.size())).containsExactly("server", "config.yml");
        words = new ArrayList<>(words.subList(1, words.size() - 2)); // without java: java() adds this JVM's
        words.replaceAll(word -> word.equals("-Xshare:auto") ? "-Xshare:on" : word);
        if (Runtime.version().feature() >= 25) {
            words.add(0, "-XX:AOTMode=on");
        }
        words.add(0, "-Xlog:class+load=info");
        words.add("--version");
        return words.toArray(String[]::new);
    }

    private static ChildProcess.Result java(String... arguments) throws IOException, InterruptedException {
        var command = new ArrayList<String>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(arguments));
        return ChildProcess.run(new ProcessBuilder(command), Duration.ofSeconds(60));
    }
}
