package io.switchboard.cli;

import io.switchboard.testing.Behavior;
import io.switchboard.testing.FakeUpstream;
import io.switchboard.testing.OpenAiWire;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code providers}, {@code models} and {@code chat} commands, run in-process the way
 * {@code main} runs them (only {@code System.exit} is replaced), against the builtin provider, a
 * fake OpenAI-compatible upstream, a provider without a key and one that cannot be reached.
 */
class CliTest {

    private static final FakeUpstream UPSTREAM = FakeUpstream.start();
    private static final String CONFIG = """
            logging:
              level: INFO
            gateway:
              requestTimeout: 3s
              discoveryTimeout: 2s
              refreshPeriod: 0s
              aliases:
                echo: builtin/echo
                smart: fake/gpt-4o
            providers:
              - name: builtin
                type: builtin
                streamDelay: 0ms
              - name: fake
                type: openai
                baseUrl: %s/v1
                apiKey: sk-test-upstream-secret
              - name: nokey
                type: openai
                baseUrl: https://api.example.com/v1
                apiKey: ${SWITCHBOARD_CLI_TEST_UNSET_API_KEY}
              - name: down
                type: openai
                baseUrl: http://127.0.0.1:1/v1
                apiKeyRequired: false
                connectTimeout: 500ms
            """;
    private static final String NOTHING_REACHABLE = """
            gateway:
              discoveryTimeout: 2s
              refreshPeriod: 0s
            providers:
              - name: nokey
                type: openai
                baseUrl: https://api.example.com/v1
                apiKey: ""
              - name: down
                type: openai
                baseUrl: http://127.0.0.1:1/v1
                apiKeyRequired: false
                connectTimeout: 500ms
            """;

    @TempDir
    static Path directory;

    private static Path config;
    private static Path unreachable;

    @BeforeAll
    static void writeConfigs() throws IOException {
        config = Files.writeString(directory.resolve("cli.yml"), CONFIG.formatted(UPSTREAM.baseUrl()));
        unreachable = Files.writeString(directory.resolve("unreachable.yml"), NOTHING_REACHABLE);
    }

    @BeforeEach
    void scriptUpstream() {
        UPSTREAM.reset();
        UPSTREAM.on("GET", "/v1/models", Behavior.json(200, OpenAiWire.models("gpt-4o", "gpt-4o-mini")));
    }

    @AfterAll
    static void stopUpstream() {
        UPSTREAM.close();
    }

    @Test
    void providersPrintsOneRowPerProvider() {
        var result = run("providers", config.toString());

        assertThat(result.exitCode()).as(result.toString()).isZero();
        List<String> lines = result.out().lines().toList();
        assertThat(lines).hasSize(7);
        assertThat(lines.get(0).split(" {2,}"))
                .containsExactly("NAME", "TYPE", "BASE URL", "STATUS", "LATENCY", "MODELS", "ERROR");
        assertThat(cells(lines.get(1)))
                .startsWith("builtin", "builtin", "-", "up")
                .endsWith("3");
        assertThat(cells(lines.get(1))[4]).matches("\\d+ ms");
        assertThat(cells(lines.get(2)))
                .startsWith("fake", "openai", UPSTREAM.baseUrl() + "/v1", "up")
                .endsWith("2");
        assertThat(cells(lines.get(3)))
                .containsExactly(
                        "nokey",
                        "openai",
                        "https://api.example.com/v1",
                        "disabled",
                        "-",
                        "0",
                        "apiKey is read from SWITCHBOARD_CLI_TEST_UNSET_API_KEY, which is not set; set"
                                + " SWITCHBOARD_CLI_TEST_UNSET_API_KEY to enable this provider");
        assertThat(cells(lines.get(4))).startsWith("down", "openai", "http://127.0.0.1:1/v1", "down");
        assertThat(cells(lines.get(4))[6]).isEqualTo("Cannot reach http://127.0.0.1:1/v1/models: connection refused");
        assertThat(lines.get(5)).isEmpty();
        assertThat(lines.get(6)).isEqualTo("2 of 4 providers reachable.");
        assertThat(result.out()).doesNotContain("sk-test-upstream-secret");
        assertThat(UPSTREAM.count("/v1/models"))
                .as("discovered, as the server does")
                .isEqualTo(1);
    }

    @Test
    void providersExitsWithOneWhenNoProviderIsReachable() {
        var result = run("providers", unreachable.toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).contains("nokey", "down", "0 of 2 providers reachable.");
        assertThat(result.err()).contains("No provider is reachable");
        assertThat(result.err()).as("a message, not a stack trace").doesNotContain("\tat ");
    }

    @Test
    void modelsPrintsTheModelListAndNothingElse() {
        var result = run("models", config.toString());

        assertThat(result.exitCode()).as(result.toString()).isZero();
        // The logging block says INFO: the server's INFO lines must not reach stdout.
        assertThat(result.out()).isEqualTo("""
                builtin/echo
                builtin/embedding
                builtin/image
                echo
                fake/gpt-4o
                fake/gpt-4o-mini
                smart
                """);
    }

    @Test
    void logsGoToStderrAndOnlyWarnings() {
        var result = run("models", config.toString());

        assertThat(result.err()).contains("WARN").contains("Cannot reach http://127.0.0.1:1/v1/models");
        assertThat(result.err()).doesNotContain("INFO");
    }

    @Test
    void chatPrintsTheBuiltinEchoAsItStreams() {
        var result = run("chat", config.toString(), "--model", "echo", "Hello from the command line");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).isEqualTo("Hello from the command line\n");
    }

    @Test
    void chatJoinsAnUnquotedPrompt() {
        var result = run("chat", config.toString(), "-m", "builtin/echo", "one", "word", "at", "a", "time");

        assertThat(result.out()).isEqualTo("one word at a time\n");
    }

    @Test
    void chatStreamsFromAnUpstreamThroughTheSameRouting() {
        UPSTREAM.on(
                "POST",
                "/v1/chat/completions",
                Behavior.sse(
                        OpenAiWire.chatStream("gpt-4o", List.of("Hello", ",", " world"), false), Duration.ofMillis(5)));

        var result = run("chat", config.toString(), "--model", "smart", "Say hello");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).isEqualTo("Hello, world\n");
        var body = UPSTREAM.lastRequest("/v1/chat/completions").bodyJson();
        assertThat(body.get("model").asText())
                .as("the alias resolved to the upstream's id")
                .isEqualTo("gpt-4o");
        assertThat(body.get("stream").asBoolean()).isTrue();
        assertThat(body.get("messages").get(0).get("content").asText()).isEqualTo("Say hello");
    }

    @Test
    void chatFailsWithTheMessageForAnUnknownModel() {
        var result = run("chat", config.toString(), "--model", "nope", "hi");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).isEmpty();
        assertThat(result.err()).contains("The model 'nope' does not exist.").doesNotContain("\tat ");
    }

    @Test
    void chatFailsWithTheUpstreamsError() {
        UPSTREAM.on(
                "POST",
                "/v1/chat/completions",
                Behavior.json(500, OpenAiWire.error("The server had an error.", "server_error", null, null)));

        var result = run("chat", config.toString(), "--model", "fake/gpt-4o", "hi");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).isEmpty();
        assertThat(result.err()).contains("fake: The server had an error.").doesNotContain("\tat ");
    }

    @Test
    void everyCommandHasHelpWithAnExample() {
        for (String command : List.of("providers", "models", "chat")) {
            var result = run(command, "--help");

            assertThat(result.exitCode()).isZero();
            assertThat(words(result.out()))
                    .as(command)
                    .contains("usage: ", command, "example: java -jar service.jar " + command + " config.yml");
        }
        assertThat(words(run("providers", "--help").out())).contains("Exits with 1 when no provider is up");
        assertThat(words(run("chat", "--help").out())).contains("--model MODEL", "prompt");
    }

    /** The text with argparse4j's wrapping and justification undone. */
    private static String words(String text) {
        return text.replaceAll("\\s+", " ");
    }

    private static String[] cells(String line) {
        return line.split(" {2,}");
    }

    private static CommandRunner.Result run(String... args) {
        return CommandRunner.run(args);
    }
}
