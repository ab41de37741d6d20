package io.switchboard.registry;

import io.switchboard.provider.HttpClientSettings;
import io.switchboard.provider.ModelInfo;
import io.switchboard.provider.Provider;
import io.switchboard.provider.ProviderContext;
import io.switchboard.provider.ProviderFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Finds the LLM runtimes running next to the gateway (Ollama, LM Studio, llama.cpp's server,
 * vLLM) by listing the models of each candidate with a short timeout, on start and on every
 * refresh. Each that answers, and is recognised as the runtime it was looked for as
 * ({@link RuntimeKind}: what only that runtime answers), becomes a provider under its candidate's
 * name. A port where nothing listens is refused at once; a listing that times out is tried once
 * more before the candidate counts as absent. A server that lists models but is not recognised
 * (another Switchboard, any other OpenAI-compatible server) is not served, and the log says once
 * which port it was and why.
 *
 * <p>A runtime found once is kept: when it stops answering it is published {@code DOWN} with the
 * models it last listed, as a configured provider would be, so its ids keep resolving (to a clear
 * "cannot reach" error rather than "no such model") and it comes back {@code UP} when it answers
 * again. One that never answered is not shown at all.
 *
 * <p>A candidate whose port is reserved (the gateway's own ports, and those of configured
 * providers on this machine) is never probed: the gateway must not discover itself.
 */
public final class LocalRuntimeDiscovery implements ProviderSource {

    private static final Logger LOG = LoggerFactory.getLogger(LocalRuntimeDiscovery.class);

    private final List<Candidate> candidates;
    private final Duration timeout;
    private final Supplier<Set<Integer>> reservedPorts;
    private final ProviderContext context;
    /** Providers are built once per candidate and kept, so that each costs one HTTP client for good. */
    private final Map<String, Provider> built = new ConcurrentHashMap<>();

    private final Map<String, Seen> seen = new ConcurrentHashMap<>();
    private final Set<String> skipLogged = ConcurrentHashMap.newKeySet();
    /** Why each candidate that answered was not recognised, until it is or stops answering. */
    private final Map<String, String> refusals = new ConcurrentHashMap<>();

    private RuntimeIdentifier identifier;
    private final AtomicBoolean firstRun = new AtomicBoolean(true);

    /**
     * @param timeout        how long one candidate may take to list its models
     * @param reservedPorts  ports never to probe, asked on every run (the gateway's bound ports are
     *                       known only once it has started)
     */
    public LocalRuntimeDiscovery(
            List<Candidate> candidates,
            Duration timeout,
            Supplier<Set<Integer>> reservedPorts,
            ProviderContext context) {
        this.candidates = List.copyOf(candidates);
        this.timeout = timeout;
        this.reservedPorts = reservedPorts;
        this.context = context;
    }

    @Override
    public CompletableFuture<List<ProviderState>> discover() {
        Set<Integer> reserved = reservedPorts.get();
        var probed = new ArrayList<Candidate>();
        var probes = new ArrayList<CompletableFuture<Optional<ProviderState>>>();
        for (Candidate candidate : candidates) {
            if (reserved.contains(candidate.port())) {
                if (skipLogged.add(candidate.name())) {
                    LOG.info(
                            "Not probing {} at {}: port {} is the gateway's own or a configured provider's",
                            candidate.label(),
                            candidate.baseUrl(),
                            candidate.port());
                }
                continue;
            }
            probed.add(candidate);
            probes.add(probe(candidate));
        }
        boolean first = firstRun.getAndSet(false);
        return CompletableFuture.allOf(probes.toArray(CompletableFuture[]::new)).thenApply(done -> {
            var states = probes.stream()
                    .map(CompletableFuture::join)
                    .flatMap(Optional::stream)
                    .toList();
            if (first) {
                logNotFound(probed, states);
            }
            return states;
        });
    }

    private CompletableFuture<Optional<ProviderState>> probe(Candidate candidate) {
        Provider provider;
        try {
            provider = built.computeIfAbsent(
                    candidate.name(), name -> candidate.factory().build(context));
        } catch (RuntimeException e) {
            LOG.warn("Cannot set up {} at {}: {}", candidate.label(), candidate.baseUrl(), e.toString());
            return CompletableFuture.completedFuture(Optional.empty());
        }
        var identifier = identifier(); // before the listing, not in its callback: see identifier()
        long started = System.nanoTime();
        return listModels(provider)
                .thenCompose(first -> first.timedOut()
                        // Nothing listening is refused at once; a timeout is a busy runtime or, on the first
                        // request a fresh JVM makes, the gateway's own class loading: worth one more try.
                        ? listModels(provider)
                        : CompletableFuture.completedFuture(first))
                .thenCompose(listed -> listed.failure() != null
                        ? CompletableFuture.completedFuture(listed)
                        : identifier
                                .refusal(candidate.kind(), provider.baseUrl(), listed.models())
                                .thenApply(refusal -> refusal.map(why -> new Probe(null, why, false, true))
                                        .orElse(listed)))
                .thenApply(probe -> {
                    var latency = Duration.ofNanos(System.nanoTime() - started);
                    if (probe.failure() == null) {
                        refusals.remove(candidate.name());
                        return Optional.of(answered(candidate, provider, probe.models(), latency));
                    }
                    if (probe.refused()) {
                        return refused(candidate, provider, probe.failure(), latency);
                    }
                    refusals.remove(candidate.name());
                    return silent(candidate, provider, probe.failure(), latency);
                });
    }

    /**
     * Made on the first probe, before its listing and whether or not anything answers it: one
     * client (and its selector thread) once any candidate is probed, none while every candidate
     * is skipped. Made on the thread that probes, never in a response callback: that runs on the
     * upstream pool, whose threads a starting client's selector needs (a deadlock when the pool
     * is busy). Its client, like the providers', lives as long as the gateway's upstream clients.
     */
    private synchronized RuntimeIdentifier identifier() {
        if (identifier == null) {
            var client = context.http().newClient(new HttpClientSettings(timeout, Duration.ofSeconds(30), 4, 16));
            identifier = new RuntimeIdentifier(client, context.mapper(), timeout);
        }
        return identifier;
    }

    /**
     * A server answered the model listing but is not the runtime looked for: not served. Said
     * once at INFO per reason, the port first, as the operator looks for what runs there.
     */
    private Optional<ProviderState> refused(Candidate candidate, Provider provider, String why, Duration latency) {
        if (!why.equals(refusals.put(candidate.name(), why))) {
            LOG.info(
                    "Port {} answered at {} but is not {}: {}; not served as '{}'",
                    candidate.port(),
                    provider.baseUrl(),
                    candidate.label(),
                    why,
                    candidate.name());
        }
        return silent(candidate, provider, "not recognised as " + candidate.label() + ": " + why, latency);
    }

    /** One model listing bounded by the timeout; never fails, the failure is in the result. */
    private CompletableFuture<Probe> listModels(Provider provider) {
        return ModelListing.of(provider, timeout, context.scheduler())
                .thenApply(listing -> listing.failure() == null
                        ? new Probe(listing.models(), null, false, false)
                        : new Probe(
                                null,
                                listing.timedOut()
                                        ? "no answer within " + timeout.toMillis() + " ms"
                                        : listing.failure().getMessage(),
                                listing.timedOut(),
                                false));
    }

    private ProviderState answered(Candidate candidate, Provider provider, List<ModelInfo> models, Duration latency) {
        Seen before = seen.put(candidate.name(), new Seen(models, true));
        if (before == null || !before.up()) {
            LOG.info("Found {} at {} with {} models", candidate.label(), provider.baseUrl(), models.size());
        }
        return new ProviderState(
                candidate.name(),
                provider.type(),
                provider.baseUrl(),
                provider,
                ProviderStatus.UP,
                models,
                null,
                latency,
                Instant.now());
    }

    private Optional<ProviderState> silent(Candidate candidate, Provider provider, String error, Duration latency) {
        var before = new AtomicReference<Seen>();
        Seen now = seen.computeIfPresent(candidate.name(), (name, last) -> {
            before.set(last);
            return new Seen(last.models(), false);
        });
        if (now == null) {
            return Optional.empty(); // never answered: nothing to show
        }
        if (before.get().up()) {
            LOG.warn(
                    "{} at {} stopped answering ({}); its {} models stay listed as down",
                    candidate.label(),
                    provider.baseUrl(),
                    error,
                    now.models().size());
        }
        return Optional.of(new ProviderState(
                candidate.name(),
                provider.type(),
                provider.baseUrl(),
                provider,
                ProviderStatus.DOWN,
                now.models(),
                error,
                latency,
                Instant.now()));
    }

    private void logNotFound(List<Candidate> probed, List<ProviderState> states) {
        var found = states.stream().map(ProviderState::name).collect(Collectors.toSet());
        String missing = probed.stream()
                .filter(candidate -> !found.contains(candidate.name()) && !refusals.containsKey(candidate.name()))
                .map(candidate -> candidate.label() + " (" + candidate.baseUrl() + ")")
                .collect(Collectors.joining(", "));
        if (!missing.isEmpty()) {
            LOG.info(
                    "No local runtime answered at {} within {} ms; probing again on every refresh",
                    missing,
                    timeout.toMillis());
        }
    }

    @Override
    public void close() {
        for (Provider provider : built.values()) {
            try {
                provider.close();
            } catch (RuntimeException e) {
                LOG.warn("Provider {} did not close cleanly", provider.name(), e);
            }
        }
    }

    /**
     * Where a runtime may answer: which runtime it must be recognised as, a label for the log
     * ("Ollama") and the provider entry it becomes when it does (its name, base URL and settings).
     */
    public record Candidate(RuntimeKind kind, String label, ProviderFactory factory) {

        public String name() {
            return factory.name();
        }

        public String baseUrl() {
            return factory.baseUrl();
        }

        /** The port the candidate listens on, the scheme's default when the URL names none. */
        public int port() {
            return portOf(factory.baseUrl());
        }
    }

    /** The port of an http(s) URL, the scheme's default when it names none; -1 when unreadable. */
    public static int portOf(String url) {
        if (url == null) {
            return -1;
        }
        try {
            URI uri = URI.create(url);
            if (uri.getPort() >= 0) {
                return uri.getPort();
            }
            return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : "http".equalsIgnoreCase(uri.getScheme()) ? 80 : -1;
        } catch (IllegalArgumentException unreadable) {
            return -1;
        }
    }

    /**
     * How one probe went: the models, or why not ({@code refused}: the server listed models but
     * is not the runtime looked for).
     */
    private record Probe(List<ModelInfo> models, String failure, boolean timedOut, boolean refused) {}

    /** What the last probe of a runtime that has answered at least once found. */
    private record Seen(List<ModelInfo> models, boolean up) {}
}
