package io.switchboard.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MinDuration;
import io.switchboard.provider.ProviderContext;
import io.switchboard.provider.ProviderFactory;
import io.switchboard.registry.LocalRuntimeDiscovery;
import io.switchboard.registry.ProviderSource;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * {@code gateway.localDiscovery}: find the LLM runtimes running on this machine (Ollama, LM Studio,
 * llama.cpp's server, vLLM) on start and on every refresh, and serve their models as
 * OpenAI-compatible providers named after them.
 */
public class LocalDiscoveryConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(LocalDiscoveryConfiguration.class);

    @JsonProperty
    private boolean enabled = true;

    /** How long one runtime may take to list its models; anything slower counts as absent. */
    @NotNull
    @MinDuration(value = 1, unit = java.util.concurrent.TimeUnit.MILLISECONDS)
    @JsonProperty
    private Duration timeout = Duration.milliseconds(500);

    /** Where to look; replacing the list replaces the defaults. */
    @Valid
    @NotNull
    @JsonProperty
    private List<LocalRuntimeConfiguration> runtimes = LocalRuntimeConfiguration.defaults();

    public boolean enabled() {
        return enabled;
    }

    public Duration timeout() {
        return timeout;
    }

    public List<LocalRuntimeConfiguration> runtimes() {
        return runtimes;
    }

    /**
     * The source of found providers. A runtime named like a configured provider is left to it;
     * ports of the gateway itself and of configured providers on this machine are never probed.
     *
     * @param gatewayPorts the gateway's own ports, asked on every run
     * @param runtimeProvider makes the provider for a runtime found, from its name and base URL
     *                        (the composition root supplies the OpenAI-compatible factory)
     */
    public ProviderSource build(
            List<ProviderFactory> configured,
            Supplier<Set<Integer>> gatewayPorts,
            ProviderContext context,
            BiFunction<String, String, ProviderFactory> runtimeProvider) {
        if (!enabled || runtimes.isEmpty()) {
            return ProviderSource.NONE;
        }
        Set<String> names = configured.stream().map(ProviderFactory::name).collect(Collectors.toSet());
        Set<Integer> localPorts = configured.stream()
                .map(ProviderFactory::baseUrl)
                .filter(LocalDiscoveryConfiguration::isThisMachine)
                .map(LocalRuntimeDiscovery::portOf)
                .collect(Collectors.toUnmodifiableSet());
        var candidates = new ArrayList<LocalRuntimeDiscovery.Candidate>();
        for (LocalRuntimeConfiguration runtime : runtimes) {
            if (names.contains(runtime.name())) {
                LOG.info(
                        "Not probing {} at {}: the configured provider '{}' takes its place",
                        runtime.label(),
                        runtime.baseUrl(),
                        runtime.name());
                continue;
            }
            var kind = runtime.kind();
            if (kind.isEmpty()) {
                continue; // refused by the configuration's cross-check before anything is built
            }
            candidates.add(new LocalRuntimeDiscovery.Candidate(
                    kind.get(), runtime.label(), runtimeProvider.apply(runtime.name(), runtime.baseUrl())));
        }
        Supplier<Set<Integer>> reserved = () -> {
            var ports = new HashSet<>(gatewayPorts.get());
            ports.addAll(localPorts);
            return ports;
        };
        return new LocalRuntimeDiscovery(candidates, timeout.toJavaDuration(), reserved, context);
    }

    /** Whether a URL points at this machine by a loopback or wildcard address. */
    static boolean isThisMachine(String url) {
        if (url == null) {
            return false;
        }
        String host;
        try {
            host = URI.create(url).getHost();
        } catch (IllegalArgumentException unreadable) {
            return false;
        }
        if (host == null) {
            return false;
        }
        host = host.toLowerCase(Locale.ROOT);
        return host.equals("localhost")
                || host.startsWith("127.")
                || host.equals("[::1]")
                || host.equals("::1")
                || host.equals("0.0.0.0");
    }
}
