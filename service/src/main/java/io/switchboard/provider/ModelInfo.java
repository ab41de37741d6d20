package io.switchboard.provider;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A model a provider serves, as discovered or configured. {@code capabilities} is null when only
 * the provider's capabilities are known.
 */
public record ModelInfo(String id, long created, String ownedBy, Set<Capability> capabilities) {

    public ModelInfo {
        capabilities = capabilities == null ? null : Set.copyOf(capabilities);
    }

    public static ModelInfo of(String id, long created, String ownedBy) {
        return new ModelInfo(id, created, ownedBy, null);
    }

    /** {@code first}, then those of {@code then} whose id is new: configured models before discovered ones. */
    public static List<ModelInfo> merge(List<ModelInfo> first, List<ModelInfo> then) {
        if (first.isEmpty()) {
            return then;
        }
        var ids = new HashSet<String>();
        var merged = new ArrayList<ModelInfo>(first.size() + then.size());
        for (List<ModelInfo> models : List.of(first, then)) {
            for (ModelInfo model : models) {
                if (ids.add(model.id())) {
                    merged.add(model);
                }
            }
        }
        return merged;
    }

    public boolean supports(Capability capability, Set<Capability> providerCapabilities) {
        return (capabilities != null ? capabilities : providerCapabilities).contains(capability);
    }
}
