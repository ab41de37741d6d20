package io.switchboard.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code bin/switchboard --print-flags}: the launcher's dry run, which prints the java command
 * line it would exec. It needs bash and a JDK (this test's), not the jar's contents.
 */
class LauncherTest {

    private static final Path LAUNCHER =
            Path.of("..", "bin", "switchboard").toAbsolutePath().normalize();

    @TempDir
    Path directory;

    private record Run(int exitCode, String out) {}

    private Run launcher(Map<String, String> environment, String... arguments)
            throws IOException, InterruptedException {
        Path jar = directory.resolve("service.jar");
        if (!Files.exists(jar)) {
            Files.writeString(jar, "not a real jar");
        }
        var command = new java.util.ArrayList<String>(List.of("bash", LAUNCHER.toString()));
        command.addAll(List.of(arguments));
        var builder = new ProcessBuilder(command);
        builder.environment().remove("SWITCHBOARD_JAVA_OPTS");
        builder.environment().remove("SWITCHBOARD_CACHE");
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("SWITCHBOARD_JAR", jar.toString());
        builder.environment()
                .put("SWITCHBOARD_CACHE_DIR", directory.resolve("cache").toString());
        builder.environment().putAll(environment);
        var run = ChildProcess.run(builder, Duration.ofSeconds(30));
        return new Run(run.exitCode(), run.output());
    }

    @Test
    void theServerGetsTheChosenFlagsThenTheUsersThenTheJarAndItsArguments() throws Exception {
        assertThat(Files.isExecutable(LAUNCHER))
                .as("bin/switchboard is executable")
                .isTrue();

        var run = launcher(Map.of("SWITCHBOARD_JAVA_OPTS", "-Dmine=1"), "--print-flags", "server", "config.yml");

        assertThat(run.exitCode()).as(run.out()).isZero();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        assertThat(run.out())
                .contains("java_version=" + System.getProperty("java.version"))
                .contains("(absent or stale)")
                .contains(java + " -Xms256m -Xmx256m -XX:+UseSerialGC -Xss512k ")
                .contains("-XX:+ExitOnOutOfMemoryError -Dmine=1 -jar " + directory.resolve("service.jar")
                        + " server config.yml")
                .doesNotContain("TieredStopAtLevel");
        if (Runtime.version().feature() >= 25) {
            assertThat(run.out()).contains("-XX:+UseCompactObjectHeaders");
        } else {
            assertThat(run.out()).doesNotContain("UseCompactObjectHeaders");
        }
    }

    @Test
    void aHeapOrCollectorTheUserChoosesReplacesTheLaunchersOwn() throws Exception {
        var run = launcher(
                Map.of("SWITCHBOARD_JAVA_OPTS", "-XX:MaxRAMPercentage=75 -XX:+UseG1GC"),
                "--print-flags",
                "server",
                "config.yml");

        assertThat(run.exitCode()).as(run.out()).isZero();
        assertThat(run.out())
                .doesNotContain("-Xmx256m")
                .doesNotContain("UseSerialGC")
                .contains("-XX:MaxRAMPercentage=75 -XX:+UseG1GC -jar");
    }

    @Test
    void aShortCommandRunsOnC1Only() throws Exception {
        var run = launcher(Map.of(), "--print-flags", "keys", "list", "config.yml");

        assertThat(run.exitCode()).as(run.out()).isZero();
        assertThat(run.out()).contains("-XX:TieredStopAtLevel=1").contains(" keys list config.yml");
    }

    /**
     * A stand-in for java of {@code version} (bash): a training run writes the archive or AOT
     * cache it is asked for (or fails, with FAIL set) and prints train's line; any other run
     * prints its arguments.
     */
    private Path fakeJava(String version) throws IOException {
        Path home = directory.resolve("fake-jdk-" + version);
        Files.createDirectories(home.resolve("bin"));
        Files.writeString(home.resolve("release"), "JAVA_VERSION=\"" + version + "\"\n");
        Path java = Files.writeString(home.resolve("bin/java"), """
                #!/usr/bin/env bash
                for a in "$@"; do
                    case $a in -XX:ArchiveClassesAtExit=* | -XX:AOTCacheOutput=*)
                        [[ -n ${FAIL:-} ]] && { echo "it broke"; exit 1; }
                        echo cache > "${a#*=}"
                        echo "train: 10 requests in 1.0 s, 10 answered, 0 failed"
                        exit 0 ;;
                    esac
                done
                echo "ran: $*"
                """);
        assertThat(java.toFile().setExecutable(true)).isTrue();
        return home;
    }

    private Path fakeJava() throws IOException {
        return fakeJava("17.0.9");
    }

    @Test
    void autoTrainsOnceBeforeServerThenUsesTheCacheAndDropsItWhenTheJarChanges() throws Exception {
        var environment = Map.of("JAVA_HOME", fakeJava().toString());
        Path cache = directory.resolve("cache").resolve("switchboard-jdk17.jsa");

        var first = launcher(environment, "server", "config.yml");
        assertThat(first.out())
                .contains("switchboard: training the JVM cache " + cache)
                .contains("train: 10 requests in 1.0 s, 10 answered, 0 failed; cache written")
                .contains("ran: -Xms256m -Xmx256m -XX:+UseSerialGC -Xss512k -XX:+ExitOnOutOfMemoryError"
                        + " -XX:SharedArchiveFile=" + cache + " -Xshare:auto -jar");
        assertThat(cache).exists();

        var second = launcher(environment, "server", "config.yml");
        assertThat(second.out()).doesNotContain("training").contains("-XX:SharedArchiveFile=" + cache);

        // Another jar (here: the same path, another time) makes it stale: not used, and said.
        Files.setLastModifiedTime(
                directory.resolve("service.jar"), java.nio.file.attribute.FileTime.fromMillis(1_000_000_000_000L));
        var stale = launcher(
                Map.of("JAVA_HOME", environment.get("JAVA_HOME"), "SWITCHBOARD_CACHE", "use"), "server", "config.yml");
        assertThat(stale.out())
                .contains("was made for another jar, JVM or flags; running without it")
                .doesNotContain("SharedArchiveFile");
    }

    @Test
    void onJava25ItTrainsAndUsesAnAotCacheWithCompactHeaders() throws Exception {
        var environment = Map.of("JAVA_HOME", fakeJava("25.0.1").toString());
        Path cache = directory.resolve("cache").resolve("switchboard-jdk25.aot");

        var first = launcher(environment, "server", "config.yml");
        assertThat(first.exitCode()).as(first.out()).isZero();
        assertThat(first.out())
                .contains("switchboard: training the JVM cache " + cache + " (Java 25.0.1, about 60 s;")
                .contains("train: 10 requests in 1.0 s, 10 answered, 0 failed; cache written")
                .contains("ran: -Xms256m -Xmx256m -XX:+UseSerialGC -Xss512k -XX:+UseCompactObjectHeaders"
                        + " -XX:+ExitOnOutOfMemoryError -XX:AOTCache=" + cache + " -jar")
                .doesNotContain("SharedArchiveFile")
                .doesNotContain("Xshare");
        assertThat(cache).exists();
        assertThat(Path.of(cache + ".stamp")).exists();

        var second = launcher(environment, "--print-flags", "server", "config.yml");
        assertThat(second.out()).contains("java_version=25.0.1").contains("(fresh)");
    }

    @Test
    void otherJavaOptsMakeTheCacheStale() throws Exception {
        String fake = fakeJava().toString();
        Path cache = directory.resolve("cache").resolve("switchboard-jdk17.jsa");
        var trained = launcher(Map.of("JAVA_HOME", fake, "SWITCHBOARD_JAVA_OPTS", "-Dmine=1"), "train");
        assertThat(trained.exitCode()).as(trained.out()).isZero();

        var same = launcher(
                Map.of("JAVA_HOME", fake, "SWITCHBOARD_JAVA_OPTS", "-Dmine=1", "SWITCHBOARD_CACHE", "use"),
                "server",
                "config.yml");
        assertThat(same.out()).contains("-XX:SharedArchiveFile=" + cache);

        // The cache holds for the flags it was trained with; -Dmine=2 could be -XX:+UseG1GC.
        var other = launcher(
                Map.of("JAVA_HOME", fake, "SWITCHBOARD_JAVA_OPTS", "-Dmine=2", "SWITCHBOARD_CACHE", "use"),
                "server",
                "config.yml");
        assertThat(other.out())
                .contains("was made for another jar, JVM or flags; running without it")
                .contains("ran: ")
                .doesNotContain("SharedArchiveFile");

        var none = launcher(Map.of("JAVA_HOME", fake, "SWITCHBOARD_CACHE", "use"), "server", "config.yml");
        assertThat(none.out()).contains("was made for another jar").doesNotContain("SharedArchiveFile");
    }

    @Test
    void aFailedTrainingRunsWithoutTheCacheAndIsNotRetriedAtEveryStart() throws Exception {
        var environment = Map.of("JAVA_HOME", fakeJava().toString(), "FAIL", "1");

        var first = launcher(environment, "server", "config.yml");
        assertThat(first.out())
                .contains("the training run failed; running without a cache")
                .contains("it broke")
                .contains("ran: ")
                .doesNotContain("SharedArchiveFile");

        var second = launcher(environment, "server", "config.yml");
        assertThat(second.out()).doesNotContain("training").contains("ran: ");

        var explicit = launcher(environment, "train");
        assertThat(explicit.out()).contains("the training run failed");
        assertThat(explicit.exitCode()).isEqualTo(1);
    }

    @Test
    void aMissingJarOrABadCacheModeIsSaidInOneLine() throws Exception {
        var noJar =
                launcher(Map.of("SWITCHBOARD_JAR", directory.resolve("nope.jar").toString()), "server");
        assertThat(noJar.exitCode()).isEqualTo(2);
        assertThat(noJar.out().strip())
                .isEqualTo(
                        "switchboard: SWITCHBOARD_JAR is " + directory.resolve("nope.jar") + ", which is not a file");

        var badMode = launcher(Map.of("SWITCHBOARD_CACHE", "sometimes"), "server");
        assertThat(badMode.exitCode()).isEqualTo(2);
        assertThat(badMode.out().strip()).isEqualTo("switchboard: SWITCHBOARD_CACHE is 'sometimes': auto, use or off");
    }
}
