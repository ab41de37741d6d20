package io.switchboard.routing;

import io.switchboard.registry.ProviderState;

/**
 * One place a request can go: a provider and the model id that provider knows it by.
 *
 * @param catalogId the model's public id, {@code provider/model}: the name metrics and logs use
 */
public record Target(ProviderState provider, String upstreamModel, String catalogId) {

    public static Target of(ProviderState provider, String upstreamModel) {
        return new Target(provider, upstreamModel, provider.name() + "/" + upstreamModel);
    }

    public String providerName() {
        return provider.name();
    }
}
