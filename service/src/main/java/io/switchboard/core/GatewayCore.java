package io.switchboard.core;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.lifecycle.Managed;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.switchboard.GatewayPorts;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.metrics.GatewayMetrics;
import io.switchboard.metrics.RouteMetrics;
import io.switchboard.provider.ProviderContext;
import io.switchboard.provider.UpstreamClients;
import io.switchboard.registry.ProviderRegistry;
import io.switchboard.registry.ProviderSources;
import io.switchboard.registry.RegistrySettings;
import io.switchboard.routing.ModelRouter;
import io.switchboard.routing.ResiliencePolicies;
import io.switchboard.routing.RouteExecutor;
import io.switchboard.routing.RouteSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

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

    private static final Logger LOG = LoggerFactory.getLogger(GatewayCore.class);

    private final UpstreamClients clients;
    private final ScheduledThreadPoolExecutor scheduler;
    private final GatewayMetrics metrics;
    private final ProviderRegistry registry;
    private final ModelRouter router;
    private final ResiliencePolicies policies;
    private final RouteExecutor executor;

    /**
     * @param ports the gateway's own ports, which local runtime discovery must never probe
     * @throws IllegalArgumentException when the configuration fails {@link SwitchboardConfiguration#crossCheck()}
     */
    public GatewayCore(SwitchboardConfiguration config, ObjectMapper mapper, GatewayPorts ports) {
        var problems = config.crossCheck();
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("config.yml has errors:\n  " + String.join("\n  ", problems));
        }
        var gateway = config.gateway();
        clients = new UpstreamClients(gateway.upstreamThreads());
        scheduler = new ScheduledThreadPoolExecutor(2, daemonThreads("switchboard-timer-"));
        // Nearly every request arms a deadline and cancels it: without this a cancelled timer
        // would stay queued until its deadline (minutes), one per request.
        scheduler.setRemoveOnCancelPolicy(true);
        var context = new ProviderContext(mapper, clients, scheduler, clients.executor(), gateway.upstreamTimeouts());
        var localRuntimes = gateway.localDiscovery().build(config.providers(), ports, context);
        // Metrics label models from the registry's catalog, and the registry wraps providers in
        // metrics: the reference closes that loop once both exist.
        var registryRef = new AtomicReference<ProviderRegistry>();
        metrics = new GatewayMetrics(new PrometheusRegistry(), () -> registryRef.get().snapshot());
        registry = new ProviderRegistry(new ProviderSources(config.providers(), localRuntimes), context,
                new RegistrySettings(gateway.discoveryTimeout().toJavaDuration(), gateway.refreshPeriod().toJavaDuration()),
                metrics::instrument);
        registryRef.set(registry);
        router = new ModelRouter(registry::snapshot, gateway.aliases(), gateway.defaultProvider());
        policies = new ResiliencePolicies(gateway.resilience()::forProvider);
        metrics.watchBreakers(this::breakerStates);
        metrics.watchUpstreams(clients);
        executor = new RouteExecutor(scheduler, new RouteSettings(gateway.requestTimeout().toJavaDuration(),
                gateway.streamIdleTimeout().toJavaDuration()), policies, new RouteMetrics(metrics));
    }

    @Override
    public void start() throws Exception {
        clients.start();
        registry.start();
        router.disabledDefaultProvider().ifPresent(reason -> LOG.warn("{} Until it is enabled, a model id without a"
                + " provider prefix that no provider lists answers 404.", reason));
    }

    @Override
    public void stop() throws Exception {
        try {
            registry.stop();
            clients.stop();
        } finally {
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

    public RouteExecutor executor() {
        return executor;
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
