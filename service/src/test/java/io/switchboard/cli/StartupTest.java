package io.switchboard.cli;

import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.switchboard.SwitchboardApplication;
import io.switchboard.SwitchboardConfiguration;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 15, point 2: what a start says. One line when the server is up (API, docs and admin
 * URLs, providers and models up), and no warning or error at a healthy start; a busy port, a
 * missing file, no file, and values of the wrong form each one line naming what to change,
 * with no stack trace and a non-zero exit.
 */
class StartupTest {

    private static final Path DIR = Path.of("target", "startup-test");

    /** A gateway on the builtin provider alone, on {@code apiPort} (0: any), logging to the console. */
    private static Path config(String name, int apiPort, String gatewayExtra) throws IOException {
        Files.createDirectories(DIR);
        var file = DIR.resolve(name + ".yml");
        Files.writeString(file, """
                server:
                  applicationConnectors:
                    - type: http
                      bindHost: 127.0.0.1
                      port: %d
                  adminConnectors:
                    - type: http
                      bindHost: 127.0.0.1
                      port: 0
                logging:
                  level: INFO
                gateway:
                  refreshPeriod: 0s
                  localDiscovery:
                    enabled: false
                %s
                providers:
                  - name: builtin
                    type: builtin
                """.formatted(apiPort, gatewayExtra.indent(2).stripTrailing()), UTF_8);
        return file;
    }

    @Test
    void aHealthyStartSaysWhereItListensInOneLineAndWarnsOfNothing() throws Exception {
        var config = config("healthy", 0, "");
        var app = new DropwizardAppExtension<SwitchboardConfiguration>(SwitchboardApplication.class, config.toString());
        var captured = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        System.setOut(new PrintStream(new Tee(stdout, captured), true, UTF_8));
        System.setErr(new PrintStream(new Tee(stderr, captured), true, UTF_8));
        String output;
        try {
            app.before();
            output = captured.toString(UTF_8);
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
        try {
            int api = app.getLocalPort();
            int admin = app.getAdminPort();
            assertThat(output)
                    .contains("Switchboard is up: API http://127.0.0.1:" + api + "/v1, docs http://127.0.0.1:" + api
                            + "/docs, admin http://127.0.0.1:" + admin + "/; 1 of 1 provider up, 3 models");
            assertThat(output.lines().filter(line -> line.contains("Switchboard is up")))
                    .hasSize(1);
            // The logback-access version mismatch, and readiness judged before the first discovery.
            assertThat(output)
                    .doesNotContain("versions are different", "are different!", "Expected version")
                    .doesNotContain("is now unhealthy", "has not yet recovered");
            assertThat(output.lines().filter(line -> line.startsWith("WARN") || line.startsWith("ERROR")))
                    .as("warnings and errors at a healthy start")
                    .allSatisfy(line -> assertThat(line).contains("No gateway API keys configured"));
        } finally {
            app.after();
        }
    }

    @Test
    void aBusyPortIsOneLineNamingThePortAndItsVariable() throws Exception {
        try (var taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            var result = CommandRunner.run("server", config("busy", port, "").toString());

            assertThat(result.exitCode()).isEqualTo(1);
            assertThat(result.err().strip())
                    .isEqualTo("Port " + port + " (the API port) is already in use on 127.0.0.1: stop what holds it,"
                            + " or choose another port with SWITCHBOARD_PORT=<port>");
            assertNoStackTrace(result);
        }
    }

    @Test
    void aMissingFileIsNamedWithWhereItWasLookedFor() {
        var result = CommandRunner.run("server", "target/startup-test/no-such.yml");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err())
                .contains("no-such.yml has an error")
                .contains("the file is not there (looked for "
                        + Path.of("target/startup-test/no-such.yml").toAbsolutePath());
        assertNoStackTrace(result);
    }

    @Test
    void serverWithoutAFileSaysHowToRunItRatherThanStartingWithNothing() {
        var result = CommandRunner.run("server");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err().strip())
                .startsWith("server needs a configuration file: java -jar service.jar server config.yml");
        assertThat(result.out()).doesNotContain("Switchboard is up");
        assertNoStackTrace(result);
    }

    @Test
    void aDurationOfTheWrongFormNamesItsKeyAndTheFormExpected() throws Exception {
        var config = config("bad-duration", 0, "requestTimeout: soon").toString();
        for (var command : new String[] {"server", "check"}) {
            var result = CommandRunner.run(command, config);

            assertThat(result.exitCode()).as(command).isEqualTo(1);
            assertThat(result.err())
                    .as(command)
                    .contains("gateway.requestTimeout: \"soon\" is not a duration; write a number and a unit,"
                            + " such as 500ms, 30s, 5m or 1h");
            assertNoJacksonJargon(result);
        }
    }

    @Test
    void aWrongTypeNamesItsKeyAndTheTypeExpected() throws Exception {
        var wrongNumber = CommandRunner.run(
                "check",
                config("bad-number", 0, "resilience:\n  retry:\n    maxAttempts: three")
                        .toString());
        assertThat(wrongNumber.exitCode()).isEqualTo(1);
        assertThat(wrongNumber.err()).contains("gateway.resilience.retry.maxAttempts: \"three\" is not a whole number");
        assertNoJacksonJargon(wrongNumber);

        var listForDuration = CommandRunner.run(
                "check", config("bad-list", 0, "discoveryTimeout: [1, 2]").toString());
        assertThat(listForDuration.exitCode()).isEqualTo(1);
        assertThat(listForDuration.err()).contains("gateway.discoveryTimeout: expected a duration");
        assertNoJacksonJargon(listForDuration);
    }

    private static void assertNoStackTrace(CommandRunner.Result result) {
        assertThat(result.out() + result.err()).doesNotContain("\tat ").doesNotContain("Exception");
    }

    private static void assertNoJacksonJargon(CommandRunner.Result result) {
        assertNoStackTrace(result);
        assertThat(result.err())
                .doesNotContain("Cannot construct instance")
                .doesNotContain("reference chain")
                .doesNotContain("io.dropwizard.util")
                .doesNotContain("[Source:");
    }

    /** Writes to the real stream and to a capture. */
    private static final class Tee extends OutputStream {
        private final OutputStream first;
        private final OutputStream second;

        Tee(OutputStream first, OutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public void write(int b) throws IOException {
            first.write(b);
            second.write(b);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            first.write(bytes, offset, length);
            second.write(bytes, offset, length);
        }
    }
}
