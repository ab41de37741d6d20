package io.switchboard.core;

import io.switchboard.metrics.GatewayMetrics;
import io.switchboard.provider.ProviderException;
import io.switchboard.routing.RouteEvents;
import io.switchboard.routing.Target;

/** Counts routing's retries and fallbacks. */
final class RouteMetrics implements RouteEvents {

    private final GatewayMetrics metrics;

    RouteMetrics(GatewayMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void retried(Target target, ProviderException cause) {
        metrics.retried(target.providerName(), cause.kind().label());
    }

    @Override
    public void fellBack(Target from, Target to, ProviderException cause) {
        metrics.fellBack(
                from.providerName(),
                to.providerName(),
                cause != null ? cause.kind().label() : "circuit_open");
    }
}
