package io.switchboard.registry;

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

    public RegistrySnapshot(List<ProviderState> providers) {
        this.providers = List.copyOf(providers);
        var names = new LinkedHashMap<String, ProviderState>();
        var models = new LinkedHashMap<String, List<ProviderState>>();
        for (ProviderState state : this.providers) {
            names.put(state.name(), state);
            if (state.enabled()) {
                var seen = new java.util.HashSet<String>();
                for (var model : state.models()) {
                    if (seen.add(model.id())) {
                        models.computeIfAbsent(model.id(), id -> new ArrayList<>())
                                .add(state);
                    }
                }
            }
        }
        this.byName = Collections.unmodifiableMap(names);
        models.replaceAll((id, list) -> List.copyOf(list));
        this.byModel = Collections.unmodifiableMap(models);
    }

    public static RegistrySnapshot empty() {
        return new RegistrySnapshot(List.of());
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

    /** Each enabled provider and whether it is up (its last probe answered, or it cannot be probed). */
    public Map<String, Boolean> upByProvider() {
        var up = new LinkedHashMap<String, Boolean>();
        for (ProviderState state : providers) {
            if (state.enabled()) {
                up.put(state.name(), state.status() != ProviderStatus.DOWN);
            }
        }
        return up;
    }
}
