package io.switchboard.provider;

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

    public boolean supports(Capability capability, Set<Capability> providerCapabilities) {
        return (capabilities != null ? capabilities : providerCapabilities).contains(capability);
    }
}
