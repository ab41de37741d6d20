package io.switchboard.registry;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every provider at one moment, the configured ones in config order and then those found at run
 * time, with an index from bare model id to the enabled providers that list it. Immutable; the
 * registry replaces it whole.
 */
public final class RegistrySnapshot {

    private final List<ProviderState> providers;
    private final Map<String, ProviderState> byName;
    private final Map<String, List<ProviderState>> byModel;
    private final Instant createdAt;

    public RegistrySnapshot(List<ProviderState> providers, Instant createdAt) {
        this.providers = List.copyOf(providers);
        this.createdAt = createdAt;
        var names = new LinkedHashMap<String, ProviderState>();
        var models = new LinkedHashMap<String, List<ProviderState>>();
        for (ProviderState state : this.providers) {
            names.put(state.name(), state);
            if (state.enabled()) {
                var seen = new java.util.HashSet<String>();
                for (var model : state.models()) {
                    if (seen.add(model.id())) {
                        models.computeIfAbsent(model.id(), id -> new ArrayList<>()).add(state);
                    }
                }
            }
        }
        this.byName = Collections.unmodifiableMap(names);
        models.replaceAll((id, list) -> List.copyOf(list));
        this.byModel = Collections.unmodifiableMap(models);
    }

    public static RegistrySnapshot empty() {
        return new RegistrySnapshot(List.of(), Instant.EPOCH);
    }

    /** All providers, enabled or not, in config order. */
    public List<ProviderState> providers() {
        return providers;
    }

    public Optional<ProviderState> provider(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** The enabled providers that list {@code modelId}, in config order. */
    public List<ProviderState> servingModel(String modelId) {
        return byModel.getOrDefault(modelId, List.of());
    }

    /** Every listed model id, bare. */
    public Iterable<String> modelIds() {
        return byModel.keySet();
    }

    public Instant createdAt() {
        return createdAt;
    }
}
