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
        ollama.on("GET", "/v1/models", Behavior.json(200, OpenAiWire.models("llama3.2:3b", "qwen2.5:7b")));
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

    private static LocalRuntimeDiscovery.Candidate candidate(String label, String name, String baseUrl) {
        return new LocalRuntimeDiscovery.Candidate(label, OpenAiProviderFactory.keyless(name, baseUrl));
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
