package io.switchboard.registry;

import io.dropwizard.lifecycle.Managed;
import io.switchboard.provider.Capability;
import io.switchboard.provider.ModelInfo;
import io.switchboard.provider.Provider;
import io.switchboard.provider.ProviderContext;
import io.switchboard.provider.ProviderFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Builds every configured provider once, discovers their models, and publishes what it knows as
 * one immutable {@link RegistrySnapshot}. Discovery runs concurrently, each provider with its own
 * timeout, at start, every {@code refreshPeriod}, and on demand; each run also asks a
 * {@link ProviderSource} for providers found rather than configured (local runtimes), which
 * follow the configured ones in the snapshot. The request path only ever reads
 * {@link #snapshot()}; it never waits on discovery.
 */
public final class ProviderRegistry implements Managed {

    private static final Logger LOG = LoggerFactory.getLogger(ProviderRegistry.class);

    private final List<ProviderFactory> factories;
    private final ProviderContext context;
    private final Duration discoveryTimeout;
    private final Duration refreshPeriod;
    private final ProviderSource found;
    private final ProviderDecorator decorator;
    /** What the registry holds until its first discovery ends. */
    private final RegistrySnapshot beforeDiscovery = RegistrySnapshot.empty();

    private final AtomicReference<RegistrySnapshot> current = new AtomicReference<>(beforeDiscovery);
    private final List<Entry> entries = new ArrayList<>();
    private ScheduledFuture<?> refreshTask;

    /**
     * @param sources   the configured providers, and a source of providers found at run time
     *                  (asked on every refresh; a configured provider of the same name wins)
     * @param decorator wraps each provider once it is built, and each found provider (metrics do
     *                  this from outside the adapters); {@link ProviderDecorator#NONE} for none
     */
    public ProviderRegistry(
            ProviderSources sources, ProviderContext context, RegistrySettings settings, ProviderDecorator decorator) {
        this.factories = List.copyOf(sources.configured());
        this.found = sources.found();
        this.context = context;
        this.discoveryTimeout = settings.discoveryTimeout();
        this.refreshPeriod = settings.refreshPeriod();
        this.decorator = decorator;
    }

    /** Whether the latest snapshot has {@code provider} listing {@code model}. */
    public boolean lists(String provider, String model) {
        return model != null
                && snapshot()
                        .provider(provider)
                        .flatMap(state -> state.model(model))
                        .isPresent();
    }

    private Provider decorate(Provider provider) {
        String name = provider.name();
        return decorator.decorate(provider, model -> lists(name, model));
    }

    /** Whether a discovery has ended (start() waits for the first). */
    public boolean discovered() {
        return current.get() != beforeDiscovery;
    }

    /** What is known now. Never null; empty before {@link #start()}. */
    public RegistrySnapshot snapshot() {
        return current.get();
    }

    @Override
    public synchronized void start() throws InterruptedException {
        for (ProviderFactory factory : factories) {
            var reason = factory.disabledReason();
            if (reason.isPresent()) {
                LOG.info("Provider {} ({}) is disabled: {}", factory.name(), factory.type(), reason.get());
                entries.add(new Entry(factory, null));
            } else {
                entries.add(new Entry(factory, decorate(factory.build(context))));
            }
        }
        try {
            // Each discovery has its own timeout; this bound only guards against a provider that ignores it.
            refresh(true).get(discoveryTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("Model discovery did not finish at startup; serving with what is known", e);
        }
        if (!refreshPeriod.isZero()) {
            long period = refreshPeriod.toMillis();
            refreshTask = context.scheduler()
                    .scheduleAtFixedRate(() -> refresh(false), period, period, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public synchronized void stop() {
        if (refreshTask != null) {
            refreshTask.cancel(false);
        }
        for (Entry entry : entries) {
            if (entry.provider() != null) {
                try {
                    entry.provider().close();
                } catch (RuntimeException e) {
                    LOG.warn(
                            "Provider {} did not close cleanly", entry.factory().name(), e);
                }
            }
        }
        found.close();
    }

    /** Discovers every provider's models again and publishes the result; logs one line each. */
    public CompletableFuture<RegistrySnapshot> refresh() {
        return refresh(true);
    }

    private CompletableFuture<RegistrySnapshot> refresh(boolean logAll) {
        List<Entry> now;
        synchronized (this) {
            now = List.copyOf(entries);
        }
        var previous = current.get();
        var states = new ArrayList<CompletableFuture<ProviderState>>(now.size());
        for (Entry entry : now) {
            states.add(discover(entry));
        }
        CompletableFuture<List<ProviderState>> extra = findProviders();
        var all = new ArrayList<CompletableFuture<?>>(states);
        all.add(extra);
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).thenApply(done -> {
            List<ProviderState> configured =
                    states.stream().map(CompletableFuture::join).toList();
            var providers = new ArrayList<>(configured);
            var names = new HashSet<String>();
            configured.forEach(state -> names.add(state.name()));
            for (ProviderState state : extra.join()) {
                if (names.add(state.name())) {
                    providers.add(state.provider() == null ? state : state.withProvider(decorate(state.provider())));
                }
            }
            var published = new RegistrySnapshot(providers);
            current.set(published);
            // Found providers log their own comings and goings.
            for (ProviderState state : configured) {
                var before = previous.provider(state.name());
                boolean changed = before.isEmpty() || before.get().status() != state.status();
                if (state.status() != ProviderStatus.DISABLED && (logAll || changed)) {
                    logState(state);
                }
            }
            return published;
        });
    }

    /** What the provider source finds; its failure is logged and means nothing found this time. */
    private CompletableFuture<List<ProviderState>> findProviders() {
        CompletableFuture<List<ProviderState>> result;
        try {
            result = found.discover();
        } catch (RuntimeException e) {
            result = CompletableFuture.failedFuture(e);
        }
        return result.exceptionally(failure -> {
            LOG.warn("Finding providers at run time failed", failure);
            return List.of();
        });
    }

    private CompletableFuture<ProviderState> discover(Entry entry) {
        ProviderFactory factory = entry.factory();
        Provider provider = entry.provider();
        if (provider == null) {
            return CompletableFuture.completedFuture(ProviderState.disabled(
                    factory.name(),
                    factory.type(),
                    factory.baseUrl(),
                    factory.disabledReason().orElse("disabled")));
        }
        if (!provider.capabilities().contains(Capability.MODEL_LIST)) {
            return CompletableFuture.completedFuture(new ProviderState(
                    provider.name(),
                    provider.type(),
                    provider.baseUrl(),
                    provider,
                    ProviderStatus.UNKNOWN,
                    List.of(),
                    null,
                    null,
                    Instant.now()));
        }
        long started = System.nanoTime();
        return ModelListing.of(provider, discoveryTimeout, context.scheduler()).thenApply(listing -> {
            var latency = Duration.ofNanos(System.nanoTime() - started);
            if (listing.failure() == null) {
                return new ProviderState(
                        provider.name(),
                        provider.type(),
                        provider.baseUrl(),
                        provider,
                        ProviderStatus.UP,
                        listing.models(),
                        null,
                        latency,
                        Instant.now());
            }
            var cause = listing.failure();
            // A provider that is down keeps the models it had, so ids still resolve to it.
            List<ModelInfo> known = snapshot()
                    .provider(provider.name())
                    .map(ProviderState::models)
                    .orElse(List.of());
            if (!listing.timedOut() && (cause.upstreamStatus() == 404 || cause.upstreamStatus() == 405)) {
                // The server answered; it just has no model list (many OpenAI-compatible servers
                // do not). It is reachable and serves the ids it is given.
                return new ProviderState(
                        provider.name(),
                        provider.type(),
                        provider.baseUrl(),
                        provider,
                        ProviderStatus.UNKNOWN,
                        known,
                        "No model list at this server (HTTP " + cause.upstreamStatus() + "); ids are passed through",
                        latency,
                        Instant.now());
            }
            String error = listing.timedOut()
                    ? "No answer to model discovery within " + discoveryTimeout.toMillis() + " ms"
                    : cause.getMessage();
            return new ProviderState(
                    provider.name(),
                    provider.type(),
                    provider.baseUrl(),
                    provider,
                    ProviderStatus.DOWN,
                    known,
                    error,
                    latency,
                    Instant.now());
        });
    }

    private static void logState(ProviderState state) {
        String where = state.baseUrl() != null ? state.type() + ", " + state.baseUrl() : state.type();
        long millis = state.latency() != null ? state.latency().toMillis() : 0;
        switch (state.status()) {
            case UP ->
                LOG.info(
                        "Provider {} ({}): up, {} models in {} ms",
                        state.name(),
                        where,
                        state.models().size(),
                        millis);
            case DOWN -> LOG.warn("Provider {} ({}): down after {} ms: {}", state.name(), where, millis, state.error());
            default ->
                LOG.info(
                        "Provider {} ({}): {}, {}",
                        state.name(),
                        where,
                        state.status(),
                        state.error() != null ? state.error() : "model discovery not supported");
        }
    }

    private record Entry(ProviderFactory factory, Provider provider) {}
}
