package io.switchboard.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.models.Model;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.dropwizard.testing.ResourceHelpers;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.switchboard.SwitchboardApplication;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.testing.Behavior;
import io.switchboard.testing.FakeUpstream;
import io.switchboard.testing.LocalRuntimes;
import io.switchboard.testing.OpenAiWire;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Local runtime discovery with the whole gateway: fake runtimes on ephemeral ports stand in for
 * Ollama and friends (the real default ports cannot be bound reliably in tests). A runtime that
 * answers is served under its name; a configured name wins; ports of configured providers and
 * of the gateway itself are never probed; one that stops answering goes down and comes back.
 * What answers must be the runtime looked for: a second, real Switchboard and a server that only
 * speaks OpenAI's API are not served, and the log says which port and why.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class LocalDiscoveryIntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OLLAMA_MODELS = "{\"object\":\"list\",\"data\":["
            + "{\"id\":\"llama3.2:3b\",\"object\":\"model\",\"created\":1731000000,\"owned_by\":\"library\"},"
            + "{\"id\":\"qwen2.5-coder:7b\",\"object\":\"model\",\"created\":1731000001,\"owned_by\":\"library\"},"
            + "{\"id\":\"nomic-embed-text:latest\",\"object\":\"model\",\"created\":1731000002,\"owned_by\":\"library\"}]}";

    private static final FakeUpstream OLLAMA = ollama();
    private static final FakeUpstream CONFIGURED_LMSTUDIO = runtime(OpenAiWire.models("configured-model"));
    private static final FakeUpstream LMSTUDIO_CANDIDATE = runtime(OpenAiWire.models("never-seen"));
    private static final FakeUpstream MINE = runtime(OpenAiWire.models("my-model"));
    private static final int NOTHING_LISTENS = closedPort();
    private static final int GATEWAY_PORT = freePort();
    /** Speaks OpenAI's API (a model list) and nothing else. */
    private static final FakeUpstream PLAIN = runtime(OpenAiWire.models("gpt-4o-mini"));
    /** Another Switchboard on this machine, started before the one under test. */
    private static final DropwizardTestSupport<SwitchboardConfiguration> NEIGHBOUR = neighbour();

    private static final Path LOG = Path.of("target", "local-discovery-test", "app-" + System.nanoTime() + ".log")
            .toAbsolutePath();

    private static final DropwizardAppExtension<SwitchboardConfiguration> APP = new DropwizardAppExtension<>(
            SwitchboardApplication.class,
            ResourceHelpers.resourceFilePath("local-discovery-test-config.yml"),
            ConfigOverride.config("server.applicationConnectors[0].port", Integer.toString(GATEWAY_PORT)),
            ConfigOverride.config("gateway.localDiscovery.runtimes[0].baseUrl", () -> OLLAMA.baseUrl() + "/v1"),
            ConfigOverride.config(
                    "gateway.localDiscovery.runtimes[1].baseUrl", () -> LMSTUDIO_CANDIDATE.baseUrl() + "/v1"),
            ConfigOverride.config("gateway.localDiscovery.runtimes[2].baseUrl", () -> MINE.baseUrl() + "/v1"),
            ConfigOverride.config(
                    "gateway.localDiscovery.runtimes[3].baseUrl", "http://127.0.0.1:" + NOTHING_LISTENS + "/v1"),
            ConfigOverride.config(
                    "gateway.localDiscovery.runtimes[4].baseUrl", "http://127.0.0.1:" + GATEWAY_PORT + "/v1"),
            ConfigOverride.config(
                    "gateway.localDiscovery.runtimes[5].baseUrl",
                    () -> "http://127.0.0.1:" + NEIGHBOUR.getLocalPort() + "/v1"),
            ConfigOverride.config("gateway.localDiscovery.runtimes[6].baseUrl", () -> PLAIN.baseUrl() + "/v1"),
            ConfigOverride.config("logging.appenders[1].currentLogFilename", LOG.toString()),
            ConfigOverride.config("providers[1].baseUrl", () -> CONFIGURED_LMSTUDIO.baseUrl() + "/v1"),
            ConfigOverride.config("providers[2].baseUrl", () -> "http://localhost:" + MINE.port() + "/v1"));

    @AfterAll
    static void stopRuntimes() throws IOException {
        OLLAMA.close();
        CONFIGURED_LMSTUDIO.close();
        LMSTUDIO_CANDIDATE.close();
        MINE.close();
        PLAIN.close();
        NEIGHBOUR.after();
        Files.deleteIfExists(LOG);
    }

    @Test
    void aRuntimeThatAnswersIsServedUnderItsNameWithItsModels() {
        OLLAMA.on("POST", "/v1/chat/completions", Behavior.json(200, OpenAiWire.chatCompletion("llama3.2:3b", "Hi!")));
        var client = GatewayFixture.openAi(APP);

        List<String> ids = client.models().list().data().stream().map(Model::id).toList();
        var reply = client.chat()
                .completions()
                .create(ChatCompletionCreateParams.builder()
                        .model("ollama/llama3.2:3b")
                        .addUserMessage("hello")
                        .build());

        assertThat(ids).contains("ollama/llama3.2:3b", "ollama/qwen2.5-coder:7b", "ollama/nomic-embed-text:latest");
        assertThat(reply.choices().get(0).message().content()).contains("Hi!");
        assertThat(reply.model()).isEqualTo("ollama/llama3.2:3b");
        var sent = OLLAMA.lastRequest("/v1/chat/completions");
        assertThat(sent.bodyJson().path("model").asText()).isEqualTo("llama3.2:3b");
        assertThat(sent.header("authorization")).isNull();
        JsonNode ollama = provider("ollama");
        assertThat(ollama.path("type").asText()).isEqualTo("openai");
        assertThat(ollama.path("base_url").asText()).isEqualTo(OLLAMA.baseUrl() + "/v1");
        assertThat(ollama.path("status").asText()).isEqualTo("up");
    }

    @Test
    void aConfiguredProviderOfTheSameNameWins() {
        JsonNode lmstudio = provider("lmstudio");

        assertThat(lmstudio.path("base_url").asText()).isEqualTo(CONFIGURED_LMSTUDIO.baseUrl() + "/v1");
        assertThat(lmstudio.path("models").toString()).isEqualTo("[\"lmstudio/configured-model\"]");
        assertThat(LMSTUDIO_CANDIDATE.requests()).isEmpty();
    }

    @Test
    void portsOfConfiguredProvidersAndOfTheGatewayItselfAreNeverProbed() {
        int before = MINE.count("/v1/models");

        refresh();

        assertThat(providers())
                .extracting(node -> node.path("name").asText())
                .doesNotContain("itself", "llamacpp", "vllm", "neighbour", "plain")
                .containsExactly("builtin", "lmstudio", "mine", "ollama");
        // Only the configured provider "mine" asked its own models, once; the llamacpp candidate on its port did not.
        assertThat(MINE.count("/v1/models")).isEqualTo(before + 1);
        assertThat(APP.getLocalPort()).isEqualTo(GATEWAY_PORT);
    }

    @Test
    void aRuntimeThatStopsAnsweringGoesDownWithItsModelsAndComesBackUp() {
        OLLAMA.on("GET", "/v1/models", Behavior.json(503, "{\"error\":\"loading\"}"));
        try {
            refresh();

            JsonNode down = provider("ollama");
            assertThat(down.path("status").asText()).isEqualTo("down");
            assertThat(down.path("error").asText()).contains("loading");
            assertThat(down.path("model_count").asInt()).isEqualTo(3);
            assertThat(GatewayFixture.openAi(APP).models().list().data())
                    .extracting(Model::id)
                    .contains("ollama/llama3.2:3b");
        } finally {
            OLLAMA.on("GET", "/v1/models", Behavior.json(200, OLLAMA_MODELS));
        }

        refresh();

        assertThat(provider("ollama").path("status").asText()).isEqualTo("up");
    }

    @Test
    void anotherSwitchboardAndAPlainOpenAiServerAnswerButAreNotServedAndTheLogSaysWhy() throws Exception {
        int neighbour = NEIGHBOUR.getLocalPort();
        // The neighbour is a real gateway: it lists models and would answer a chat.
        assertThat(GatewayFixture.HTTP
                        .send(
                                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + neighbour + "/v1/models"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body())
                .contains("\"builtin/echo\"");

        refresh();

        assertThat(providers()).extracting(node -> node.path("name").asText()).doesNotContain("neighbour", "plain");
        assertThat(GatewayFixture.openAi(APP).models().list().data())
                .extracting(Model::id)
                .noneMatch(id -> id.startsWith("neighbour/") || id.startsWith("plain/"));
        // Said once, at start-up, not again on the refresh.
        String refusedNeighbour = "Port " + neighbour + " answered at http://127.0.0.1:" + neighbour
                + "/v1 but is not llama.cpp server: it answers GET /v1/providers as a Switchboard gateway does"
                + " and prefixes its model ids with provider names (builtin/echo";
        String refusedPlain = "Port " + PLAIN.port() + " answered at " + PLAIN.baseUrl()
                + "/v1 but is not vLLM: its model 'gpt-4o-mini' is owned_by 'openai', not 'vllm'; not served as 'plain'";
        List<String> log = awaitLog(refusedPlain);
        assertThat(log)
                .filteredOn(line -> line.contains(refusedNeighbour))
                .singleElement()
                .satisfies(line -> assertThat(line)
                        .startsWith("INFO")
                        .endsWith("another gateway is never served as a local runtime; not served as 'neighbour'"));
        assertThat(log).filteredOn(line -> line.contains(refusedPlain)).hasSize(1);
    }

    // ------------------------------------------------------------------ helpers

    private static FakeUpstream ollama() {
        var upstream = FakeUpstream.start();
        upstream.on("GET", "/v1/models", Behavior.json(200, OLLAMA_MODELS));
        // What tells it from any other OpenAI-compatible server.
        LocalRuntimes.ollamaTags(upstream, "llama3.2:3b", "qwen2.5-coder:7b", "nomic-embed-text:latest");
        return upstream;
    }

    private static DropwizardTestSupport<SwitchboardConfiguration> neighbour() {
        var neighbour = new DropwizardTestSupport<SwitchboardConfiguration>(
                SwitchboardApplication.class, ResourceHelpers.resourceFilePath("neighbour-gateway-config.yml"));
        try {
            neighbour.before();
        } catch (Exception e) {
            throw new IllegalStateException("The neighbour gateway did not start", e);
        }
        return neighbour;
    }

    /** The application log once it holds {@code line} (the file appender writes asynchronously). */
    private static List<String> awaitLog(String line) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline
                && !(Files.exists(LOG)
                        && Files.readString(LOG, StandardCharsets.UTF_8).contains(line))) {
            Thread.sleep(50);
        }
        return Files.readAllLines(LOG, StandardCharsets.UTF_8);
    }

    private static FakeUpstream runtime(String models) {
        var upstream = FakeUpstream.start();
        upstream.on("GET", "/v1/models", Behavior.json(200, models));
        return upstream;
    }

    /** A port that was just free and is closed again: nothing answers there. */
    private static int closedPort() {
        try (var upstream = FakeUpstream.start()) {
            return upstream.port();
        }
    }

    private static int freePort() {
        try (var socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void refresh() {
        try {
            var request = HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + APP.getAdminPort() + "/tasks/refresh-providers"))
                    .timeout(Duration.ofSeconds(20))
                    .POST(HttpRequest.BodyPublishers.noBody())
                    .build();
            var response = GatewayFixture.HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static List<JsonNode> providers() {
        try {
            var response = GatewayFixture.get(APP, "/v1/providers");
            var list = new ArrayList<JsonNode>();
            JSON.readTree(response.body()).path("data").forEach(list::add);
            return list;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode provider(String name) {
        return providers().stream()
                .filter(node -> node.path("name").asText().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no provider " + name + " in " + providers()));
    }
}
