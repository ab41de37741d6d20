package io.switchboard.core;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.lifecycle.Managed;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.metrics.GatewayMetrics;
import io.switchboard.provider.ProviderContext;
import io.switchboard.provider.UpstreamClients;
import io.switchboard.registry.ProviderRegistry;
import io.switchboard.registry.RegistrySettings;
import io.switchboard.routing.ModelRouter;
import io.switchboard.routing.RouteExecutor;

import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The gateway without its HTTP server: upstream clients, a timer, the provider registry (with
 * metrics around every provider), the router and the executor. The server and the commands build
 * it the same way, so {@code switchboard chat} takes the path a request to the API takes.
 *
 * <p>One {@link Managed}: {@link #start()} starts the clients and discovers every provider's
 * models; {@link #stop()} undoes it in reverse order.
 */
public final class GatewayCore implements Managed {

    private final UpstreamClients clients;
    private final ScheduledThreadPoolExecutor scheduler;
    private final GatewayMetrics metrics;
    private final ProviderRegistry registry;
    private final ModelRouter router;
    private final RouteExecutor executor;

    /** @throws IllegalArgumentException when the configuration fails {@link SwitchboardConfiguration#crossCheck()} */
    public GatewayCore(SwitchboardConfiguration config, ObjectMapper mapper) {
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
        var context = new ProviderContext(mapper, clients, scheduler, clients.executor());
        // Metrics label models from the registry's catalog, and the registry wraps providers in
        // metrics: the reference closes that loop once both exist.
        var registryRef = new AtomicReference<ProviderRegistry>();
        metrics = new GatewayMetrics(new PrometheusRegistry(), () -> registryRef.get().snapshot());
        registry = new ProviderRegistry(config.providers(), context, new RegistrySettings(
                gateway.discoveryTimeout().toJavaDuration(), gateway.refreshPeriod().toJavaDuration()),
                metrics::instrument);
        registryRef.set(registry);
        router = new ModelRouter(registry::snapshot, gateway.aliases(), gateway.defaultProvider());
        executor = new RouteExecutor(scheduler, gateway.requestTimeout().toJavaDuration());
    }

    @Override
    public void start() throws Exception {
        clients.start();
        registry.start();
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

    private static ThreadFactory daemonThreads(String prefix) {
        var count = new AtomicInteger();
        return task -> {
            var thread = new Thread(task, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
