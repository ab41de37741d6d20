package io.switchboard;

import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.core.Application;
import io.dropwizard.core.server.AbstractServerFactory;
import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.jetty.ConnectorFactory;
import io.dropwizard.jetty.HttpConnectorFactory;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.switchboard.provider.ProviderContext;
import io.switchboard.provider.UpstreamClients;
import io.switchboard.registry.ProviderRegistry;
import io.switchboard.registry.RefreshProvidersTask;
import io.switchboard.resources.ApiExceptionMapper;
import io.switchboard.resources.ApiRequestReader;
import io.switchboard.resources.CatchAllExceptionMapper;
import io.switchboard.resources.ChatCompletionsResource;
import io.switchboard.resources.CompletionsResource;
import io.switchboard.resources.EmbeddingsResource;
import io.switchboard.resources.ImagesResource;
import io.switchboard.resources.JsonErrorHandler;
import io.switchboard.resources.ModelsResource;
import io.switchboard.resources.ProviderExceptionMapper;
import io.switchboard.resources.ProvidersResource;
import io.switchboard.resources.RequestSizeFilter;
import io.switchboard.resources.WebApplicationExceptionMapper;
import io.switchboard.routing.ModelRouter;
import io.switchboard.routing.RouteExecutor;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.handler.CrossOriginHandler;

import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** The composition root: builds every part with {@code new} and hands it to Dropwizard. */
public class SwitchboardApplication extends Application<SwitchboardConfiguration> {

    public static void main(String[] args) throws Exception {
        new SwitchboardApplication().run(args);
    }

    @Override
    public String getName() {
        return "switchboard";
    }

    @Override
    public void initialize(Bootstrap<SwitchboardConfiguration> bootstrap) {
        // ${VAR} and ${VAR:-default} in config.yml come from the environment; keys never live in the file.
        bootstrap.setConfigurationSourceProvider(new SubstitutingSourceProvider(
                bootstrap.getConfigurationSourceProvider(), new EnvironmentVariableSubstitutor(false)));
    }

    @Override
    public void run(SwitchboardConfiguration config, Environment environment) {
        var problems = config.crossCheck();
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("config.yml has errors:\n  " + String.join("\n  ", problems));
        }
        var gateway = config.gateway();
        var mapper = environment.getObjectMapper();

        var clients = new UpstreamClients(gateway.upstreamThreads());
        environment.lifecycle().manage(clients);
        var scheduler = environment.lifecycle().scheduledExecutorService("switchboard-timer", true).threads(2).build();
        var context = new ProviderContext(mapper, clients, scheduler, clients.executor());
        var ports = GatewayPorts.of(config.getServerFactory());
        environment.lifecycle().addServerLifecycleListener(ports);
        var localRuntimes = gateway.localDiscovery().build(config.providers(), ports, context);
        var registry = new ProviderRegistry(config.providers(), context,
                gateway.discoveryTimeout().toJavaDuration(), gateway.refreshPeriod().toJavaDuration(), localRuntimes);
        environment.lifecycle().manage(registry);

        var router = new ModelRouter(registry::snapshot, gateway.aliases(), gateway.defaultProvider());
        var executor = new RouteExecutor(scheduler, gateway.requestTimeout().toJavaDuration());
        long maxRequestBytes = gateway.maxRequestSize().toBytes();
        var reader = new ApiRequestReader(maxRequestBytes);

        var jersey = environment.jersey();
        jersey.register(new RequestSizeFilter(maxRequestBytes));
        jersey.register(new ChatCompletionsResource(reader, router, executor, mapper));
        jersey.register(new CompletionsResource(reader, router, executor, mapper));
        jersey.register(new EmbeddingsResource(reader, router, executor));
        jersey.register(new ImagesResource(reader, router, executor));
        jersey.register(new ModelsResource(router));
        jersey.register(new ProvidersResource(registry));
        jersey.register(new ApiExceptionMapper());
        jersey.register(new ProviderExceptionMapper());
        jersey.register(new WebApplicationExceptionMapper());
        jersey.register(new CatchAllExceptionMapper());

        environment.admin().addTask(new RefreshProvidersTask(registry, gateway.discoveryTimeout().toJavaDuration()));

        configureServer(config, environment, gateway);
    }

    /** Server settings the gateway depends on, whatever config.yml says. */
    private static void configureServer(SwitchboardConfiguration config, Environment environment,
                                        GatewayConfiguration gateway) {
        if (config.getServerFactory() instanceof AbstractServerFactory server) {
            // Our mappers speak OpenAI's error shape; Dropwizard's defaults would answer {"code","message"}.
            server.setRegisterDefaultExceptionMappers(false);
            // Compressing an event stream would hold chunks back until the compressor's buffer fills.
            var gzip = server.getGzipFilterFactory();
            Set<String> excluded = gzip.getExcludedMimeTypes() == null ? new HashSet<>()
                    : new HashSet<>(gzip.getExcludedMimeTypes());
            excluded.add("text/event-stream");
            gzip.setExcludedMimeTypes(excluded);
        }
        allowEncodedSlashes(config);
        environment.getApplicationContext().setErrorHandler(new JsonErrorHandler());
        environment.getApplicationContext().getServletHandler().setDecodeAmbiguousURIs(true);
        environment.lifecycle().addServerLifecycleListener(server -> server.setErrorHandler(new JsonErrorHandler()));
        if (!gateway.corsAllowedOrigins().isEmpty()) {
            environment.getApplicationContext().insertHandler(cors(gateway));
        }
    }

    /**
     * Model ids contain slashes and the OpenAI SDKs encode them ({@code GET /v1/models/openai%2Fgpt-4o}),
     * which Jetty refuses by default as an ambiguous path separator. Allow exactly that one thing.
     */
    private static void allowEncodedSlashes(SwitchboardConfiguration config) {
        if (config.getServerFactory() instanceof DefaultServerFactory server) {
            for (ConnectorFactory connector : server.getApplicationConnectors()) {
                if (connector instanceof HttpConnectorFactory http) {
                    http.setUriCompliance(http.getUriCompliance().with("switchboard-model-ids",
                            UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR));
                }
            }
        }
    }

    private static CrossOriginHandler cors(GatewayConfiguration gateway) {
        var cors = new CrossOriginHandler();
        cors.setAllowedOriginPatterns(gateway.corsAllowedOrigins().stream()
                .map(origin -> "*".equals(origin) ? ".*" : Pattern.quote(origin))
                .collect(Collectors.toSet()));
        cors.setAllowedMethods(Set.of("GET", "POST", "OPTIONS"));
        // The OpenAI SDKs send a family of X-Stainless-* headers; any request header may pass.
        cors.setAllowedHeaders(Set.of("*"));
        cors.setAllowCredentials(false);
        cors.setExposedHeaders(Set.of("X-Request-Id", "Retry-After"));
        return cors;
    }
}
