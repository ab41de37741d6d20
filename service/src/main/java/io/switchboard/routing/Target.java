package io.switchboard.routing;

import io.switchboard.registry.ProviderState;

/**
 * One place a request can go: a provider (its registry state) and the model id that provider
 * knows it by.
 *
 * @param catalogId the model's public id, {@code provider/model}: the name metrics and logs use
 * @param weight    its share under the weighted strategy
 */
public record Target(ProviderState state, String upstreamModel, String catalogId, int weight) {

    public static Target of(ProviderState provider, String upstreamModel) {
        return of(provider, upstreamModel, 1);
    }

    public static Target of(ProviderState provider, String upstreamModel, int weight) {
        return new Target(provider, upstreamModel, provider.name() + "/" + upstreamModel, weight);
    }

    public String providerName() {
        return state.name();
    }
}
