package io.switchboard.registry;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jetty.HttpConnectorFactory;
import io.switchboard.core.GatewayPorts;
import io.switchboard.provider.ModelInfo;
import io.switchboard.provider.ProviderContext;
import io.switchboard.provider.builtin.BuiltinProviderFactory;
import io.switchboard.provider.http.UpstreamClients;
import io.switchboard.provider.openai.OpenAiProviderFactory;
import io.switchboard.testing.Behavior;
import io.switchboard.testing.FakeUpstream;
import io.switchboard.testing.LocalRuntimes;
import io.switchboard.testing.OpenAiWire;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** {@link LocalRuntimeDiscovery} with real HTTP against fake runtimes, and how the registry merges what it finds. */
class LocalDiscoveryTest {

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final UpstreamClients http = new UpstreamClients(8);
    private final ProviderContext context = new ProviderContext(
            Jackson.newObjectMapper(), http, scheduler, Runnable::run, ProviderContext.UpstreamTimeouts.DEFAULT);
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Set<Integer> reserved = new HashSet<>();
    private FakeUpstream ollama;
    private FakeUpstream hanging;

    @BeforeEach
    void setUp() throws Exception {
        http.start();
        ollama = FakeUpstream.start();
        LocalRuntimes.ollama(ollama, "llama3.2:3b", "qwen2.5:7b");
        hanging = FakeUpstream.start();
        hanging.on("GET", "/v1/models", Behavior.hang());
        log.start();
        var logger = (Logger) LoggerFactory.getLogger(LocalRuntimeDiscovery.class);
        // Other tests in this JVM may have left the root at WARN; these messages are INFO.
        logger.setLevel(ch.qos.logback.classic.Level.INFO);
        logger.addAppender(log);
    }

    @AfterEach
    void tearDown() throws Exception {
        var logger = (Logger) LoggerFactory.getLogger(LocalRuntimeDiscovery.class);
        logger.detachAppender(log);
        logger.setLevel(null);
        ollama.close();
        hanging.close();
        http.stop();
        scheduler.shutdownNow();
    }

    private LocalRuntimeDiscovery discovery() {
        return new LocalRuntimeDiscovery(
                List.of(candidate("Ollama", "ollama", ollama.baseUrl() + "/v1")),
                Duration.ofSeconds(1),
                () -> Set.copyOf(reserved),
                context);
    }

    /** A candidate to be recognised as the runtime its name says. */
    private static LocalRuntimeDiscovery.Candidate candidate(String label, String name, String baseUrl) {
        return candidate(RuntimeKind.byId(name).orElseThrow(), label, name, baseUrl);
    }

    private static LocalRuntimeDiscovery.Candidate candidate(
            RuntimeKind kind, String label, String name, String baseUrl) {
        return new LocalRuntimeDiscovery.Candidate(kind, label, OpenAiProviderFactory.keyless(name, baseUrl));
    }

    @Test
    void whatAnswersIsUpWhatHangsIsAbsentAndTheLogSaysWhich() throws Exception {
        var discovery = new LocalRuntimeDiscovery(
                List.of(
                        candidate("Ollama", "ollama", ollama.baseUrl() + "/v1"),
                        candidate("LM Studio", "lmstudio", hanging.baseUrl() + "/v1")),
                Duration.ofSeconds(1),
                Set::of,
                context);

        List<ProviderState> found = discovery.discover().get(10, TimeUnit.SECONDS);

        assertThat(found).singleElement().satisfies(state -> {
            assertThat(state.name()).isEqualTo("ollama");
            assertThat(state.type()).isEqualTo("openai");
            assertThat(state.status()).isEqualTo(ProviderStatus.UP);
            assertThat(state.models()).extracting(ModelInfo::id).containsExactly("llama3.2:3b", "qwen2.5:7b");
            assertThat(state.provider().baseUrl()).isEqualTo(ollama.baseUrl() + "/v1");
        });
        assertThat(messages())
                .contains(
                        "Found Ollama at " + ollama.baseUrl() + "/v1 with 2 models",
                        "No local runtime answered at LM Studio (" + hanging.baseUrl() + "/v1) within 1000 ms;"
                                + " probing again on every refresh");
        assertThat(ollama.lastRequest("/v1/models").header("authorization")).isNull();
        // A listing that timed out is tried once more before the runtime counts as absent.
        assertThat(hanging.count("/v1/models")).isEqualTo(2);
    }

    @Test
    void eachRuntimeIsRecognisedByWhatOnlyItAnswers() throws Exception {
        try (var lmstudio = FakeUpstream.start();
                var lmstudioV1 = FakeUpstream.start();
                var llamacpp = FakeUpstream.start();
                var vllm = FakeUpstream.start()) {
            LocalRuntimes.lmStudio(lmstudio, "qwen2.5-7b-instruct");
            LocalRuntimes.lmStudioV1(lmstudioV1, "qwen/qwen3-4b");
            LocalRuntimes.llamaCpp(llamacpp, "qwen2.5-0.5b-instruct-q4_k_m.gguf");
            LocalRuntimes.vllm(vllm, "meta-llama/Llama-3.1-8B-Instruct");
            var discovery = new LocalRuntimeDiscovery(
                    List.of(
                            candidate("Ollama", "ollama", ollama.baseUrl() + "/v1"),
                            candidate("LM Studio", "lmstudio", lmstudio.baseUrl() + "/v1"),
                            candidate(RuntimeKind.LMSTUDIO, "LM Studio 0.4", "lmstudio4", lmstudioV1.baseUrl() + "/v1"),
                            candidate("llama.cpp server", "llamacpp", llamacpp.baseUrl() + "/v1"),
                            candidate("vLLM", "vllm", vllm.baseUrl() + "/v1")),
                    Duration.ofSeconds(2),
                    Set::of,
                    context);

            List<ProviderState> found = discovery.discover().get(10, TimeUnit.SECONDS);

            assertThat(found)
                    .extracting(
                            ProviderState::name,
                            state -> state.status(),
                            state -> state.models().stream().map(ModelInfo::id).toList())
                    .containsExactly(
                            tuple("ollama", ProviderStatus.UP, List.of("llama3.2:3b", "qwen2.5:7b")),
                            tuple("lmstudio", ProviderStatus.UP, List.of("qwen2.5-7b-instruct")),
                            tuple("lmstudio4", ProviderStatus.UP, List.of("qwen/qwen3-4b")),
                            tuple("llamacpp", ProviderStatus.UP, List.of("qwen2.5-0.5b-instruct-q4_k_m.gguf")),
                            tuple("vllm", ProviderStatus.UP, List.of("meta-llama/Llama-3.1-8B-Instruct")));
            // What identified each: its own path, asked at the server's root (the base URL without /v1).
            assertThat(ollama.count("/api/tags")).isEqualTo(1);
            assertThat(lmstudio.count("/api/v0/models")).isEqualTo(1);
            assertThat(lmstudioV1.count("/api/v1/models")).isEqualTo(1);
            assertThat(llamacpp.count("/props")).isEqualTo(1);
            assertThat(vllm.count("/version")).isEqualTo(1);
            assertThat(messages()).noneMatch(message -> message.contains("but is not"));
        }
    }

    @Test
    void aSwitchboardIsRefusedByNameWhateverElseItAnswersAndTheLogSaysSoOnce() throws Exception {
        try (var gateway = FakeUpstream.start()) {
            // A second gateway that found a llama.cpp server itself: its list carries llama.cpp's
            // owned_by, and (as a relay might) it even answers /props like llama.cpp.
            LocalRuntimes.llamaCpp(gateway, "unused.gguf");
            gateway.on("GET", "/v1/models", Behavior.json(200, """
                    {"object":"list","data":[
                      {"id":"llamacpp/qwen2.5-0.5b-instruct-q4_k_m.gguf","object":"model","created":1735000000,"owned_by":"llamacpp"},
                      {"id":"builtin/echo","object":"model","created":1735000000,"owned_by":"builtin"},
                      {"id":"echo","object":"model","created":1735000000,"owned_by":"builtin"}]}"""));
            gateway.on("GET", "/v1/providers", Behavior.json(200, """
                    {"object":"list","data":[
                      {"name":"builtin","type":"builtin","base_url":null,"status":"up","error":null,"model_count":3},
                      {"name":"llamacpp","type":"openai","base_url":"http://127.0.0.1:8080/v1","status":"up","error":null,"model_count":1}]}"""));
            var discovery = new LocalRuntimeDiscovery(
                    List.of(candidate("llama.cpp server", "llamacpp", gateway.baseUrl() + "/v1")),
                    Duration.ofSeconds(2),
                    Set::of,
                    context);

            assertThat(discovery.discover().get(10, TimeUnit.SECONDS)).isEmpty();
            assertThat(discovery.discover().get(10, TimeUnit.SECONDS)).isEmpty();

            assertThat(messages())
                    .filteredOn(message -> message.startsWith("Port " + gateway.port()))
                    .containsExactly("Port " + gateway.port() + " answered at " + gateway.baseUrl()
                            + "/v1 but is not llama.cpp server: it answers GET /v1/providers as a Switchboard"
                            + " gateway does and prefixes its model ids with provider names"
                            + " (llamacpp/qwen2.5-0.5b-instruct-q4_k_m.gguf, builtin/echo): another gateway is"
                            + " never served as a local runtime; not served as 'llamacpp'");
            // It answered, so it is not among those that did not.
            assertThat(messages()).noneMatch(message -> message.startsWith("No local runtime answered"));
        }
    }

    @Test
    void anOpenAiCompatibleServerOrAnyJsonServerIsNotTakenForARuntime() throws Exception {
        try (var plain = FakeUpstream.start();
                var lookalike = FakeUpstream.start()) {
            // Speaks OpenAI's API and nothing else, on every runtime's default port in turn.
            plain.on("GET", "/v1/models", Behavior.json(200, OpenAiWire.models("gpt-4o-mini")));
            // Stamps its models like vLLM and has a /version, but not vLLM's; its other paths answer JSON too.
            lookalike.on("GET", "/v1/models", Behavior.json(200, """
                    {"object":"list","data":[{"id":"m","object":"model","owned_by":"vllm"}]}"""));
            lookalike.on("GET", "/version", Behavior.json(200, "{\"build\":42,\"name\":\"inventory-service\"}"));
            lookalike.on("GET", "/v1/providers", Behavior.json(200, "{\"data\":[{\"name\":\"acme\"}]}"));
            String at = plain.baseUrl() + "/v1";
            var discovery = new LocalRuntimeDiscovery(
                    List.of(
                            candidate("Ollama", "ollama", at),
                            candidate("LM Studio", "lmstudio", at),
                            candidate("llama.cpp server", "llamacpp", at),
                            candidate("vLLM", "vllm", at),
                            candidate(RuntimeKind.VLLM, "vLLM", "lookalike", lookalike.baseUrl() + "/v1")),
                    Duration.ofSeconds(2),
                    Set::of,
                    context);

            assertThat(discovery.discover().get(10, TimeUnit.SECONDS)).isEmpty();

            String port = "Port " + plain.port() + " answered at " + at + " but is not ";
            assertThat(messages())
                    .contains(
                            port
                                    + "Ollama: GET /api/tags answered 404, not an Ollama model list; not served as 'ollama'",
                            port + "LM Studio: GET /api/v0/models answered 404, not an LM Studio model list;"
                                    + " GET /api/v1/models answered 404, not an LM Studio model list;"
                                    + " not served as 'lmstudio'",
                            port + "llama.cpp server: its model 'gpt-4o-mini' is owned_by 'openai', not 'llamacpp';"
                                    + " not served as 'llamacpp'",
                            port
                                    + "vLLM: its model 'gpt-4o-mini' is owned_by 'openai', not 'vllm'; not served as 'vllm'",
                            "Port " + lookalike.port() + " answered at " + lookalike.baseUrl() + "/v1 but is not vLLM:"
                                    + " GET /version answered something other than a vLLM version;"
                                    + " not served as 'lookalike'");
        }
    }

    @Test
    void aRuntimeWhosePortIsTakenOverByAnotherServerGoesDownAndSaysWhy() throws Exception {
        var discovery = discovery();
        assertThat(discovery.discover().get(5, TimeUnit.SECONDS).get(0).status())
                .isEqualTo(ProviderStatus.UP);

        ollama.on("GET", "/api/tags", Behavior.json(404, "{\"error\":\"not found\"}"));
        var after = discovery.discover().get(5, TimeUnit.SECONDS);

        assertThat(after).singleElement().satisfies(state -> {
            assertThat(state.status()).isEqualTo(ProviderStatus.DOWN);
            assertThat(state.error())
                    .isEqualTo("not recognised as Ollama: GET /api/tags answered 404, not an Ollama model list");
        });
    }

    @Test
    void aRuntimeThatStopsAnsweringIsDownWithItsLastModelsThenUpAgainOnTheSameProvider() throws Exception {
        var discovery = discovery();
        var first = discovery.discover().get(5, TimeUnit.SECONDS).get(0);

        ollama.on(
                "GET",
                "/v1/models",
                Behavior.json(500, OpenAiWire.error("model runner crashed", "server_error", null, null)));
        var down = discovery.discover().get(5, TimeUnit.SECONDS);
        assertThat(down).singleElement().satisfies(state -> {
            assertThat(state.status()).isEqualTo(ProviderStatus.DOWN);
            assertThat(state.error()).contains("model runner crashed");
            assertThat(state.models()).extracting(ModelInfo::id).containsExactly("llama3.2:3b", "qwen2.5:7b");
            assertThat(state.provider()).isSameAs(first.provider());
        });

        ollama.on("GET", "/v1/models", Behavior.json(200, OpenAiWire.models("llama3.2:3b")));
        var back = discovery.discover().get(5, TimeUnit.SECONDS).get(0);
        assertThat(back.status()).isEqualTo(ProviderStatus.UP);
        assertThat(back.models()).extracting(ModelInfo::id).containsExactly("llama3.2:3b");
        assertThat(back.provider()).isSameAs(first.provider());
        assertThat(messages())
                .filteredOn(message -> message.startsWith("Found Ollama"))
                .hasSize(2);
        assertThat(messages())
                .anyMatch(message -> message.startsWith("Ollama at " + ollama.baseUrl()
                        + "/v1 stopped answering (model runner crashed); its 2 models stay listed as down"));
    }

    @Test
    void aReservedPortIsNeverProbedEvenWhenItBecomesReservedLater() throws Exception {
        var discovery = discovery();
        assertThat(discovery.discover().get(5, TimeUnit.SECONDS)).hasSize(1);
        int probes = ollama.count("/v1/models");

        // As when the gateway binds port 0 to a port only known once it has started.
        reserved.add(ollama.port());
        assertThat(discovery.discover().get(5, TimeUnit.SECONDS)).isEmpty();
        discovery.discover().get(5, TimeUnit.SECONDS);

        assertThat(ollama.count("/v1/models")).isEqualTo(probes);
        assertThat(messages())
                .filteredOn(message -> message.startsWith("Not probing Ollama"))
                .hasSize(1);
    }

    @Test
    void gatewayPortsAreTheConfiguredOnesAndThenTheBoundOnes() throws Exception {
        var serverFactory = new DefaultServerFactory();
        var application = new HttpConnectorFactory();
        application.setPort(8080);
        var admin = new HttpConnectorFactory();
        admin.setPort(0);
        serverFactory.setApplicationConnectors(List.of(application));
        serverFactory.setAdminConnectors(List.of(admin));
        var ports = GatewayPorts.of(serverFactory);
        assertThat(ports.get()).containsExactly(8080);

        var server = new Server();
        var connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.start();
        try {
            ports.serverStarted(server);
            assertThat(ports.get()).containsExactlyInAnyOrder(8080, connector.getLocalPort());
        } finally {
            server.stop();
        }
    }

    @Test
    void theRegistryPublishesFoundProvidersAfterTheConfiguredOnesAndAConfiguredNameWins() throws Exception {
        var builtin = Jackson.newObjectMapper()
                .readValue("{\"type\":\"builtin\",\"name\":\"ollama\"}", BuiltinProviderFactory.class);
        var registry = new ProviderRegistry(
                new ProviderSources(
                        List.of(builtin),
                        () -> CompletableFuture.completedFuture(
                                discovery().discover().join())),
                context,
                new RegistrySettings(Duration.ofSeconds(2), Duration.ZERO),
                ProviderDecorator.NONE);
        registry.start();
        try {
            var snapshot = registry.snapshot();
            assertThat(snapshot.providers()).extracting(ProviderState::name).containsExactly("ollama");
            assertThat(snapshot.provider("ollama").orElseThrow().type()).isEqualTo("builtin");
        } finally {
            registry.stop();
        }

        var found = new ProviderRegistry(
                new ProviderSources(List.of(), discovery()),
                context,
                new RegistrySettings(Duration.ofSeconds(2), Duration.ZERO),
                ProviderDecorator.NONE);
        found.start();
        try {
            assertThat(found.snapshot().providers())
                    .extracting(ProviderState::name)
                    .containsExactly("ollama");
            assertThat(found.snapshot().servingModel("llama3.2:3b")).hasSize(1);
        } finally {
            found.stop();
        }
    }

    private List<String> messages() {
        return log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
}
