package io.switchboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.core.Application;
import io.dropwizard.core.cli.CheckCommand;
import io.dropwizard.core.server.AbstractServerFactory;
import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.core.server.SimpleServerFactory;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.jersey.setup.JerseyEnvironment;
import io.dropwizard.jetty.ConnectorFactory;
import io.dropwizard.jetty.HttpConnectorFactory;
import io.dropwizard.lifecycle.AutoCloseableManager;
import io.prometheus.metrics.exporter.servlet.jakarta.PrometheusMetricsServlet;
import io.prometheus.metrics.instrumentation.dropwizard.DropwizardExports;
import io.switchboard.admin.AdminApi;
import io.switchboard.admin.AdminKeysResource;
import io.switchboard.admin.AdminProvidersResource;
import io.switchboard.admin.AdminUsageResource;
import io.switchboard.admin.KeyService;
import io.switchboard.admin.KeyView;
import io.switchboard.auth.ApiKeyFeature;
import io.switchboard.auth.ApiKeys;
import io.switchboard.auth.ApiKeysFile;
import io.switchboard.auth.BearerKeyAuthFilter;
import io.switchboard.auth.GatewayKeys;
import io.switchboard.auth.RateLimitFilter;
import io.switchboard.auth.RequestLimiter;
import io.switchboard.cli.ChatCommand;
import io.switchboard.cli.DbCommand;
import io.switchboard.cli.GatewayServerCommand;
import io.switchboard.cli.KeysCommand;
import io.switchboard.cli.ModelsCommand;
import io.switchboard.cli.ProvidersCommand;
import io.switchboard.cli.TrainCommand;
import io.switchboard.cli.UsageCommand;
import io.switchboard.config.GatewayConfiguration;
import io.switchboard.config.PlainConfigurationFactory;
import io.switchboard.core.BindHosts;
import io.switchboard.core.GatewayCore;
import io.switchboard.core.GatewayPorts;
import io.switchboard.core.StartupReport;
import io.switchboard.health.AdminHealthServlet;
import io.switchboard.health.ProviderHealthCheck;
import io.switchboard.health.ReadinessCheck;
import io.switchboard.messages.AnthropicErrors;
import io.switchboard.messages.MessagesResource;
import io.switchboard.metrics.GatewayMetrics;
import io.switchboard.openapi.OpenApiDocument;
import io.switchboard.openapi.OpenApiResource;
import io.switchboard.openapi.SwaggerUi;
import io.switchboard.registry.RefreshProvidersTask;
import io.switchboard.resources.ApiExceptionMapper;
import io.switchboard.resources.ApiRequestReader;
import io.switchboard.resources.CatchAllExceptionMapper;
import io.switchboard.resources.ChatCompletionsResource;
import io.switchboard.resources.ClientWatch;
import io.switchboard.resources.CompletionsResource;
import io.switchboard.resources.EmbeddingsResource;
import io.switchboard.resources.Heartbeats;
import io.switchboard.resources.ImagesResource;
import io.switchboard.resources.JsonErrorHandler;
import io.switchboard.resources.ModelsResource;
import io.switchboard.resources.OptionsFilter;
import io.switchboard.resources.ProviderExceptionMapper;
import io.switchboard.resources.ProvidersResource;
import io.switchboard.resources.RequestContext;
import io.switchboard.resources.RequestIdFilter;
import io.switchboard.resources.RequestSizeFilter;
import io.switchboard.resources.Responder;
import io.switchboard.resources.ResponseHeadersFilter;
import io.switchboard.resources.UnreadBodyFilter;
import io.switchboard.resources.WebApplicationExceptionMapper;
import io.switchboard.responses.MemoryResponseStore;
import io.switchboard.responses.ResponsePurger;
import io.switchboard.responses.ResponseStore;
import io.switchboard.responses.ResponsesResource;
import io.switchboard.store.UsageDao;
import io.switchboard.store.VirtualKeyRecord;
import jakarta.servlet.DispatcherType;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.handler.CrossOriginHandler;
import org.glassfish.jersey.server.ServerProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** The composition root: builds every part with {@code new} and hands it to Dropwizard. */
public class SwitchboardApplication extends Application<SwitchboardConfiguration> {

    private static final Logger LOG = LoggerFactory.getLogger(SwitchboardApplication.class);

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
        // A default may itself read a variable: ${SWITCHBOARD_DATABASE_URL:-jdbc:sqlite:${SWITCHBOARD_DB_PATH:-…}}.
        bootstrap.setConfigurationSourceProvider(new SubstitutingSourceProvider(
                bootstrap.getConfigurationSourceProvider(), new EnvironmentVariableSubstitutor(false, true)));
        // Wrong types and forms, and a missing file, said with the key path and in plain words.
        bootstrap.setConfigurationFactoryFactory(PlainConfigurationFactory.factory());
        bootstrap.addCommand(new ProvidersCommand(CommandConfiguration.class));
        bootstrap.addCommand(new ModelsCommand(CommandConfiguration.class));
        bootstrap.addCommand(new ChatCommand(CommandConfiguration.class));
        bootstrap.addCommand(new KeysCommand(CommandConfiguration.class));
        bootstrap.addCommand(new UsageCommand(CommandConfiguration.class));
        bootstrap.addCommand(new DbCommand(CommandConfiguration.class));
    }

    /**
     * {@code server} says its failures in one line; {@code check} is Dropwizard's; {@code train} is the
     * JVM cache's training run.
     */
    @Override
    protected void addDefaultCommands(Bootstrap<SwitchboardConfiguration> bootstrap) {
        bootstrap.addCommand(new GatewayServerCommand<>(this, config -> warmUp(bootstrap, config)));
        bootstrap.addCommand(new CheckCommand<>(this));
        bootstrap.addCommand(new TrainCommand<>(this));
    }

    /**
     * {@code gateway.warmup}: before the server is built, a {@code train} run in this JVM (a gateway
     * of its own on free loopback ports, driven over HTTP, then stopped), so the real one starts
     * with its hot path compiled. It runs with a bootstrap of its own (its metrics are not the real
     * gateway's) and replaces the process's logging while it runs: {@code config}'s is set up again
     * after it, with {@code bootstrap}'s registry, as the {@code server} command had set it up. A
     * failed warm-up is said and the start goes on.
     */
    private void warmUp(Bootstrap<SwitchboardConfiguration> bootstrap, SwitchboardConfiguration config) {
        var warmup = config.gateway().warmup();
        if (!warmup.enabled()) {
            return;
        }
        LOG.info(
                "Warming up for up to {} (gateway.warmup): a gateway of its own on loopback; the ports open after it",
                warmup.maxTime());
        String result;
        boolean ok = false;
        try {
            var own = new Bootstrap<>(this);
            initialize(own);
            var outcome = new TrainCommand<>(this)
                    .train(own, warmup.requests(), warmup.maxTime().toJavaDuration(), warmup.concurrency());
            ok = outcome.healthy();
            result = "Warm-up: " + TrainCommand.summary(outcome)
                    + (ok ? "" : "; too many failed, the first: " + outcome.firstFailure());
        } catch (Exception e) {
            result = "Warm-up failed, starting without it: " + e;
        } finally {
            config.getLoggingFactory().configure(bootstrap.getMetricRegistry(), getName());
        }
        if (ok) {
            LOG.info("{}", result);
        } else {
            LOG.warn("{}", result);
        }
    }

    @Override
    public void run(SwitchboardConfiguration config, Environment environment) {
        var gateway = config.gateway();
        var mapper = environment.getObjectMapper();
        var ports = GatewayPorts.of(config.getServerFactory());
        environment.lifecycle().addServerLifecycleListener(ports);
        // Managed before the core, so it stops after it: the last requests' spans are still sent.
        var tracing = config.tracing().build();
        environment.lifecycle().manage(tracing);
        var core = new GatewayCore(
                config, mapper, ports, environment.metrics(), tracing.calls(), tracing.outgoingHeaders());
        environment.lifecycle().manage(core);
        var registry = core.registry();
        var router = core.router();
        var metrics = core.metrics();
        exposeMetrics(environment, metrics);

        long maxRequestBytes = gateway.maxRequestSize().toBytes();
        var reader = new ApiRequestReader(
                maxRequestBytes, gateway.requestReadTimeout().toJavaDuration(), System::nanoTime);

        var calls = core.calls();
        var responder = new Responder(
                mapper,
                metrics::recordOverhead,
                new Heartbeats(core.scheduler(), gateway.streamHeartbeat().toJavaDuration()),
                clientWatch(environment, core));

        // First, so a request's span covers the rest of its filters.
        environment
                .servlets()
                .addFilter("tracing", tracing.serverFilter())
                .addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/*");
        environment
                .servlets()
                .addFilter("request-id", new RequestIdFilter())
                .addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/*");
        var jersey = environment.jersey();
        // No WADL, and no empty application/vnd.sun.wadl+xml (or any other type) on an OPTIONS answer.
        jersey.property(ServerProperties.WADL_FEATURE_DISABLE, true);
        jersey.register(new OptionsFilter());
        protectApi(gateway, jersey, core);
        jersey.register(new RequestSizeFilter(maxRequestBytes));
        jersey.register(new UnreadBodyFilter());
        jersey.register(new ResponseHeadersFilter());
        jersey.register(new ChatCompletionsResource(reader, calls, responder));
        jersey.register(new CompletionsResource(reader, calls, responder));
        jersey.register(new EmbeddingsResource(reader, calls, responder));
        jersey.register(new ImagesResource(reader, calls, responder));
        jersey.register(new MessagesResource(reader, calls, responder));
        jersey.register(new AnthropicErrors());
        jersey.register(new ResponsesResource(
                reader,
                calls,
                responder,
                responseStore(config, core, environment),
                core.workers(),
                mapper,
                Clock.systemUTC()));
        jersey.register(new ModelsResource(router));
        jersey.register(new ProvidersResource(registry));
        jersey.register(new ApiExceptionMapper());
        jersey.register(new ProviderExceptionMapper());
        jersey.register(new WebApplicationExceptionMapper());
        jersey.register(new CatchAllExceptionMapper());
        // Built from the resources registered above (Dropwizard registers an instance by its
        // class and binds the instance): everything under /v1/ is documented. On first use.
        var documented = List.copyOf(jersey.getResourceConfig().getClasses());
        var admin = adminApi(environment, mapper, core);
        var adminDocumented = List.copyOf(admin.resourceClasses());
        String adminUrl = adminUrl(config);
        jersey.register(
                new OpenApiResource(() -> OpenApiDocument.of(gateway.api(), documented, adminDocumented, adminUrl)));
        SwaggerUi.register(environment.servlets());

        environment
                .admin()
                .addTask(new RefreshProvidersTask(
                        registry, gateway.discoveryTimeout().toJavaDuration()));
        for (var provider : config.providers()) {
            environment
                    .healthChecks()
                    .register(
                            ProviderHealthCheck.nameFor(provider.name()),
                            new ProviderHealthCheck(registry, provider.name(), core::breakerState));
        }
        environment.healthChecks().register(ReadinessCheck.NAME, new ReadinessCheck(registry));
        core.redis()
                .ifPresent(redis ->
                        environment.healthChecks().register(SwitchboardConfiguration.REDIS_CHECK, redis.healthCheck()));
        Set<String> nonCritical = config.nonCriticalChecks();
        environment
                .admin()
                .addServlet(
                        "healthcheck",
                        new AdminHealthServlet(environment.healthChecks(), name -> !nonCritical.contains(name)))
                .addMapping("/healthcheck");

        configureServer(config, environment, gateway);
        BindHosts.apply(config.getServerFactory(), !gateway.apiKeyHashes().isEmpty() || gateway.apiKeysFile() != null);
        environment.lifecycle().addServerLifecycleListener(new StartupReport(registry, router));
    }

    /** Notices clients that leave before their answer begins; its thread ends with the server. */
    private static ClientWatch clientWatch(Environment environment, GatewayCore core) {
        var watch = new ClientWatch(core.scheduler());
        environment.lifecycle().manage(new AutoCloseableManager(watch));
        return watch;
    }

    /**
     * Where the Responses API keeps stored responses: the database's table, or a bounded map in
     * memory without one; older than {@code responses.retention} purged either way.
     */
    private static ResponseStore responseStore(
            SwitchboardConfiguration config, GatewayCore core, Environment environment) {
        var settings = config.responses();
        ResponseStore store = core.database()
                .map(db -> ResponseStore.of(db.responses()))
                .orElseGet(() -> new MemoryResponseStore(settings.memoryLimit()));
        environment
                .lifecycle()
                .manage(new ResponsePurger(store, settings.retention(), settings.purgeInterval(), Clock.systemUTC()));
        return store;
    }

    /**
     * With gateway keys configured, every {@code /v1} call needs one, and each key gets its
     * request limit. Without keys the API is open, and says so once at startup.
     */
    private static void protectApi(GatewayConfiguration gateway, JerseyEnvironment jersey, GatewayCore core) {
        var hashes = new ArrayList<>(gateway.apiKeyHashes());
        if (gateway.apiKeysFile() != null) {
            hashes.addAll(ApiKeysFile.read(Path.of(gateway.apiKeysFile())));
        }
        var keys = ApiKeys.fromHashes(hashes);
        // Per-key limits naming no configured key were refused as config.yml was read (CrossChecked).
        boolean virtualKeys = core.database().isPresent();
        if (keys.isEmpty() && !virtualKeys) {
            LOG.warn("No gateway API keys configured: anyone who can reach the application port can use /v1/*"
                    + " (set SWITCHBOARD_API_KEYS or gateway.apiKeysFile)");
            return;
        }
        var directory = core.keyDirectory();
        var filters = new ArrayList<Object>(List.of(new BearerKeyAuthFilter(new GatewayKeys(keys, directory))));
        RequestLimiter limiter = core.requestLimits();
        if (limiter.limitsAnything()) {
            // With shared limits (cluster.redis) a routed call's RPM is taken with its other limits.
            filters.add(new RateLimitFilter(limiter, core.redis().isPresent()));
        }
        jersey.register(new ApiKeyFeature(filters));
        int perMinute = gateway.rateLimit().requestsPerMinute();
        if (virtualKeys && keys.isEmpty()) {
            LOG.info(
                    "Gateway API keys: none in config.yml; virtual keys from the database. /v1/* is open until the"
                            + " first key exists (java -jar service.jar keys create ...), then needs Authorization: Bearer <key>");
            return;
        }
        LOG.info(
                "Gateway API keys: {} configured (ids {}); /v1/* needs Authorization: Bearer <key>; rate limit: {}",
                keys.size(),
                String.join(", ", keys.ids()),
                !limiter.limitsAnything()
                        ? "off"
                        : (perMinute > 0 ? perMinute + " requests/minute per key" : "none by default") + ", "
                                + gateway.rateLimit().perKey().size() + " per-key override(s)");
    }

    /**
     * The admin port's API ({@code /api/providers}, and with a database {@code /api/keys} and
     * {@code /api/usage}) and its page ({@code /ui/}).
     */
    private static AdminApi adminApi(Environment environment, ObjectMapper mapper, GatewayCore core) {
        var admin = new AdminApi(environment, mapper);
        admin.register(new AdminProvidersResource(core.registry()));
        core.database().ifPresent(db -> {
            var usage = db.usage();
            admin.register(new AdminKeysResource(
                    new KeyService(db.keys()), key -> spendOf(usage, key), mapper, core::keysChanged));
            admin.register(new AdminUsageResource(usage, Clock.systemUTC()));
        });
        admin.install(environment);
        return admin;
    }

    /** What a key spent in its budget's current window (all time without a budget), from the ledger. */
    private static KeyView.Spend spendOf(UsageDao usage, VirtualKeyRecord key) {
        var settings = key.settings();
        if (settings.budgetPeriod() == null) {
            return new KeyView.Spend(usage.spendSince(key.id(), 0), null);
        }
        var now = Instant.now();
        var period =
                io.switchboard.usage.BudgetPeriod.parse(settings.budgetPeriod().dbValue());
        return new KeyView.Spend(
                usage.spendSince(key.id(), period.windowStart(now).toEpochMilli()),
                period.nextReset(now).orElse(null));
    }

    /** Where the admin port answers, as configured (for the OpenAPI document). */
    private static String adminUrl(SwitchboardConfiguration config) {
        if (config.getServerFactory() instanceof DefaultServerFactory server
                && !server.getAdminConnectors().isEmpty()
                && server.getAdminConnectors().get(0) instanceof HttpConnectorFactory connector) {
            String host =
                    connector.getBindHost() == null || connector.getBindHost().isBlank()
                            ? "127.0.0.1"
                            : connector.getBindHost();
            return "http://" + host + ":" + connector.getPort();
        }
        return "http://127.0.0.1:8081";
    }

    /**
     * {@code /metrics/prometheus} on the admin port: the gateway's labelled metrics and, through
     * Prometheus' Dropwizard bridge, everything in the Dropwizard registry (JVM, Jetty, Jersey).
     */
    private static void exposeMetrics(Environment environment, GatewayMetrics metrics) {
        DropwizardExports.builder().dropwizardRegistry(environment.metrics()).register(metrics.registry());
        environment
                .admin()
                .addServlet("prometheus", new PrometheusMetricsServlet(metrics.registry()))
                .addMapping("/metrics/prometheus");
    }

    /** Server settings the gateway depends on, whatever config.yml says. */
    private static void configureServer(
            SwitchboardConfiguration config, Environment environment, GatewayConfiguration gateway) {
        if (config.getServerFactory() instanceof AbstractServerFactory server) {
            // Our mappers speak OpenAI's error shape; Dropwizard's defaults would answer {"code","message"}.
            server.setRegisterDefaultExceptionMappers(false);
            // Compressing an event stream would hold chunks back until the compressor's buffer fills.
            var gzip = server.getGzipFilterFactory();
            Set<String> excluded =
                    gzip.getExcludedMimeTypes() == null ? new HashSet<>() : new HashSet<>(gzip.getExcludedMimeTypes());
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
        var connectors = new ArrayList<ConnectorFactory>();
        if (config.getServerFactory() instanceof DefaultServerFactory server) {
            connectors.addAll(server.getApplicationConnectors());
        } else if (config.getServerFactory() instanceof SimpleServerFactory server) {
            connectors.add(server.getConnector());
        }
        for (ConnectorFactory connector : connectors) {
            if (connector instanceof HttpConnectorFactory http) {
                http.setUriCompliance(http.getUriCompliance()
                        .with("switchboard-model-ids", UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR));
            }
        }
    }

    private static CrossOriginHandler cors(GatewayConfiguration gateway) {
        var cors = new CrossOriginHandler();
        cors.setAllowedOriginPatterns(gateway.corsAllowedOrigins().stream()
                .map(origin -> "*".equals(origin) ? ".*" : Pattern.quote(origin))
                .collect(Collectors.toSet()));
        cors.setAllowedMethods(Set.of("GET", "POST", "OPTIONS"));
        // "*" lets any request header through (the SDKs send a family of X-Stainless-* headers),
        // but by the Fetch standard it never covers Authorization, which must be named.
        cors.setAllowedHeaders(Set.of("*", "Authorization"));
        cors.setAllowCredentials(false);
        // What a browser client may read: request ids, backoff hints, and who served the request.
        cors.setExposedHeaders(Set.of(
                RequestIdFilter.HEADER,
                "Retry-After",
                RateLimitFilter.LIMIT,
                RateLimitFilter.REMAINING,
                RateLimitFilter.RESET,
                RequestContext.PROVIDER_HEADER,
                RequestContext.MODEL_HEADER,
                RequestContext.OVERHEAD_HEADER,
                RequestContext.ATTEMPTS_HEADER));
        return cors;
    }
}
