package io.switchboard.core;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.lifecycle.Managed;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.switchboard.auth.KeyDirectory;
import io.switchboard.auth.RateLimiter;
import io.switchboard.auth.RequestLimiter;
import io.switchboard.cluster.CircuitAnnouncer;
import io.switchboard.cluster.RedisLink;
import io.switchboard.cluster.SharedLimits;
import io.switchboard.cluster.SharedRequestLimiter;
import io.switchboard.config.DatabaseConfiguration;
import io.switchboard.config.GatewaySettings;
import io.switchboard.metrics.GatewayMetrics;
import io.switchboard.provider.ProviderContext;
import io.switchboard.provider.http.OutgoingHeaders;
import io.switchboard.provider.http.UpstreamClients;
import io.switchboard.provider.openai.OpenAiProviderFactory;
import io.switchboard.registry.ProviderRegistry;
import io.switchboard.registry.ProviderSources;
import io.switchboard.registry.RegistrySettings;
import io.switchboard.routing.CallTracer;
import io.switchboard.routing.ModelRouter;
import io.switchboard.routing.ResiliencePolicies;
import io.switchboard.routing.RouteEvents;
import io.switchboard.routing.RouteExecutor;
import io.switchboard.routing.RouteSettings;
import io.switchboard.routing.RoutedCalls;
import io.switchboard.store.Database;
import io.switchboard.store.VirtualKeyRecord;
import io.switchboard.usage.BudgetBook;
import io.switchboard.usage.BudgetPeriod;
import io.switchboard.usage.CallLimits;
import io.switchboard.usage.CostEstimator;
import io.switchboard.usage.LedgerWriter;
import io.switchboard.usage.TokensPerMinute;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gateway without its HTTP server: upstream clients, a timer, the provider registry (with
 * local runtime discovery and metrics around every provider), the router, the resilience
 * policies and the executor. The server and the commands build it the same way, so
 * {@code switchboard chat} takes the path a request to the API takes.
 *
 * <p>One {@link Managed}: {@link #start()} starts the clients and discovers every provider's
 * models; {@link #stop()} undoes it in reverse order.
 */
public final class GatewayCore implements Managed {

    /** How often the virtual keys are read for changes: a change counts everywhere within a second. */
    private static final Duration KEY_POLL = Duration.ofMillis(250);

    private static final Logger LOG = LoggerFactory.getLogger(GatewayCore.class);

    private final UpstreamClients clients;
    private final ScheduledThreadPoolExecutor scheduler;
    private final GatewayMetrics metrics;
    private final ProviderRegistry registry;
    private final ModelRouter router;
    private final ResiliencePolicies policies;
    private final RouteExecutor executor;
    private final RoutedCalls calls;
    private final Optional<Database> database;
    private final KeyCache keys;
    private final LedgerWriter ledger;
    private final BudgetBook budgets = new BudgetBook();
    private final RateLimiter requestLimits;
    private final RequestLimiter requestLimiter;
    private final Optional<RedisLink> redis;
    private final Optional<CircuitAnnouncer> circuits;
    private final ExecutorService background;

    /**
     * @param ports   the gateway's own ports, which local runtime discovery must never probe
     * @param dropwizardMetrics where the database pool and the ledger writer report (bridged to Prometheus)
     *     (the configuration was validated as it was read, cross-block checks included: {@link
     *     io.switchboard.config.CrossChecked})
     */
    public GatewayCore(
            GatewaySettings config, ObjectMapper mapper, GatewayPorts ports, MetricRegistry dropwizardMetrics) {
        this(config, mapper, ports, dropwizardMetrics, CallTracer.NONE, OutgoingHeaders.NONE);
    }

    /**
     * The same, traced: {@code tracer} hears of every routed call and its attempts, and
     * {@code outgoing} puts each attempt's trace context on its upstream request (the server's
     * tracing; the commands trace nothing).
     */
    public GatewayCore(
            GatewaySettings config,
            ObjectMapper mapper,
            GatewayPorts ports,
            MetricRegistry dropwizardMetrics,
            CallTracer tracer,
            OutgoingHeaders outgoing) {
        var gateway = config.gateway();
        clients = new UpstreamClients(gateway.upstreamThreads(), outgoing);
        scheduler = new ScheduledThreadPoolExecutor(2, daemonThreads("switchboard-timer-"));
        // Nearly every request arms a deadline and cancels it: without this a cancelled timer
        // would stay queued until its deadline (minutes), one per request.
        scheduler.setRemoveOnCancelPolicy(true);
        var context = new ProviderContext(mapper, clients, scheduler, clients.executor(), gateway.upstreamTimeouts());
        var localRuntimes =
                gateway.localDiscovery().build(config.providers(), ports, context, OpenAiProviderFactory::keyless);
        metrics = new GatewayMetrics(new PrometheusRegistry());
        // The registry wraps each provider in metrics and tells the wrapper which model ids it lists.
        registry = new ProviderRegistry(
                new ProviderSources(config.providers(), localRuntimes),
                context,
                new RegistrySettings(
                        gateway.discoveryTimeout().toJavaDuration(),
                        gateway.refreshPeriod().toJavaDuration()),
                metrics::instrument);
        router = new ModelRouter(registry::snapshot, gateway.aliases(), gateway.defaultProvider());
        policies = new ResiliencePolicies(gateway.resilience()::forProvider);
        metrics.watchProviders(() -> registry.snapshot().upByProvider());
        metrics.watchBreakers(this::breakerStates);
        metrics.watchUpstreams(
                () -> connections(clients), () -> clients.executor().getBusyThreads());
        var routeLog = new RouteLog();
        policies.onStateTransition(routeLog::breakerChanged);
        executor = new RouteExecutor(
                scheduler,
                new RouteSettings(
                        gateway.requestTimeout().toJavaDuration(),
                        gateway.streamIdleTimeout().toJavaDuration()),
                policies,
                RouteEvents.both(new RouteMetrics(metrics), routeLog));
        database = DatabaseConfiguration.buildIfConfigured(config.database(), dropwizardMetrics);
        keys = database.map(db -> new KeyCache(db.keys(), System::currentTimeMillis))
                .orElse(null);
        ledger = database.map(db -> config.ledger().build(db.usage()::insertAll, dropwizardMetrics))
                .orElse(null);
        requestLimits = gateway.rateLimit().build(keyDirectory());
        var cluster = config.cluster();
        background = Executors.newSingleThreadExecutor(daemonThreads("switchboard-background-"));
        var local = new LocalLimits(requestLimits, new TokensPerMinute(System::nanoTime), budgets);
        redis = cluster.enabled()
                ? Optional.of(new RedisLink(cluster.redis().settings(), scheduler, metrics.registry()))
                : Optional.empty();
        Optional<SharedLimits> shared = redis.map(link -> new SharedLimits(
                link,
                local,
                budgets,
                database.<SharedLimits.LedgerSpend>map(db -> db.usage()::spendSince)
                        .orElse((key, from) -> 0L),
                background));
        CallLimits limits = shared.<CallLimits>map(limit -> limit).orElse(local);
        requestLimiter = shared.<RequestLimiter>map(limit -> new SharedRequestLimiter(requestLimits, limit))
                .orElse(requestLimits);
        circuits = redis.filter(link -> cluster.shareCircuits())
                .map(link -> new CircuitAnnouncer(link, policies, instanceId()));
        var pricing = config.pricing();
        var accounts = new Accounts(
                keys,
                limits,
                // With shared limits a routed call's RPM is taken with its other limits, in one script.
                redis.isPresent() ? requestLimits::limitFor : keyId -> 0,
                pricing.build(mapper),
                new CostEstimator(pricing.defaultOutputTokens()),
                ledger != null ? ledger::offer : row -> {},
                metrics,
                registry::lists,
                Clock.systemUTC());
        calls = new RoutedCalls(router, executor, accounts, tracer);
    }

    @Override
    public void start() throws Exception {
        redis.ifPresent(RedisLink::start);
        circuits.ifPresent(CircuitAnnouncer::start);
        if (database.isPresent()) {
            database.get().start();
            keys.start(scheduler, KEY_POLL);
            restoreSpend(database.get());
            ledger.start();
        }
        clients.start();
        registry.start();
        router.disabledDefaultProvider()
                .ifPresent(reason -> LOG.warn(
                        "{} Until it is enabled, a model id without a"
                                + " provider prefix that no provider lists answers 404.",
                        reason));
    }

    /** Budgets survive a restart: each key's spend in its current window, from the ledger. */
    private void restoreSpend(Database db) {
        var now = Instant.now();
        for (VirtualKeyRecord key : keys.all()) {
            var settings = key.settings();
            if (settings.budgetMicros() != null && key.revokedAt() == null) {
                var period = BudgetPeriod.parse(settings.budgetPeriod().dbValue());
                long spent =
                        db.usage().spendSince(key.id(), period.windowStart(now).toEpochMilli());
                budgets.load(key.id(), period, spent, now);
            }
        }
    }

    @Override
    public void stop() throws Exception {
        try {
            registry.stop();
            clients.stop();
            if (database.isPresent()) {
                keys.stop();
                ledger.stop(); // flushes what is held, bounded by ledger.shutdownTimeout
                database.get().stop();
            }
            redis.ifPresent(RedisLink::close);
        } finally {
            background.shutdownNow();
            scheduler.shutdownNow();
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    public GatewayMetrics metrics() {
        return metrics;
    }

    public ProviderRegistry registry() {
        return registry;
    }

    public ModelRouter router() {
        return router;
    }

    /**
     * The pool for work that may block after an upstream's answer (the upstream clients' pool):
     * a small JSON answer completes on a client's I/O thread, which must not wait.
     */
    public Executor workers() {
        return clients.executor();
    }

    public RouteExecutor executor() {
        return executor;
    }

    /** The database, when config.yml has one. */
    public Optional<Database> database() {
        return database;
    }

    /**
     * Requests per minute per gateway key ({@code gateway.rateLimit} and the virtual keys' own),
     * for the rate-limit filter.
     */
    public RequestLimiter requestLimits() {
        return requestLimiter;
    }

    /** The connection to Redis when {@code cluster.redis.uri} is set: limits are shared by every instance. */
    public Optional<RedisLink> redis() {
        return redis;
    }

    /** This process, as other instances hear of it: host name and process id. */
    private static String instanceId() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "localhost";
        }
        return host + ":" + ProcessHandle.current().pid();
    }

    /** The virtual keys, for authentication and the rate limit ({@link KeyDirectory#NONE} without a database). */
    public KeyDirectory keyDirectory() {
        return keys != null ? keys : KeyDirectory.NONE;
    }

    /** Reads the virtual keys' changes now (after this process changed one), rather than at the next poll. */
    public void keysChanged() {
        if (keys != null) {
            keys.refresh();
        }
    }

    /** The one entry point of a routed call: resolve, rewrite, execute, restore. */
    public RoutedCalls calls() {
        return calls;
    }

    /** The timer every part shares; its tasks hand work on and never block. */
    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    /** One provider's circuit breaker state: closed, open, half_open, disabled … */
    public String breakerState(String provider) {
        return name(policies.state(provider));
    }

    private Map<String, String> breakerStates() {
        var states = new TreeMap<String, String>();
        policies.states().forEach((provider, state) -> states.put(provider, name(state)));
        return states;
    }

    private static Map<String, GatewayMetrics.Connections> connections(UpstreamClients clients) {
        var connections = new TreeMap<String, GatewayMetrics.Connections>();
        clients.pools()
                .forEach((origin, pool) ->
                        connections.put(origin, new GatewayMetrics.Connections(pool.active(), pool.idle())));
        return connections;
    }

    private static String name(CircuitBreaker.State state) {
        return state.name().toLowerCase(Locale.ROOT);
    }

    private static ThreadFactory daemonThreads(String prefix) {
        var count = new AtomicInteger();
        return task -> {
            var thread = new Thread(task, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
