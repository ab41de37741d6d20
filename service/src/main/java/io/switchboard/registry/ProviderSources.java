package io.switchboard.registry;

import io.switchboard.provider.ProviderFactory;

import java.util.List;

/**
 * Where the registry's providers come from: the configured entries, built once at start, and
 * a source of providers found while the gateway runs (local runtimes).
 */
public record ProviderSources(List<ProviderFactory> configured, ProviderSource found) {}
