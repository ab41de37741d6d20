package io.switchboard.health;

import com.codahale.metrics.health.HealthCheck;
import io.switchboard.registry.ProviderRegistry;
import io.switchboard.registry.ProviderState;
import io.switchboard.registry.ProviderStatus;

import java.util.stream.Collectors;

/**
 * {@code providers}: the gateway is ready while at least one provider can serve (up, or enabled
 * but not probeable). Critical: when it fails, the readiness endpoint answers 503.
 */
public final class ReadinessCheck extends HealthCheck {

    public static final String NAME = "providers";

    private final ProviderRegistry registry;

    public ReadinessCheck(ProviderRegistry registry) {
        this.registry = registry;
    }

    @Override
    protected Result check() {
        if (!registry.discovered()) {
            // Nothing to judge yet, and nobody to judge it for: the first discovery ends before the
            // ports open. Reporting "not ready" here only logged an ERROR at every start.
            return Result.healthy("Starting: the first provider discovery has not ended");
        }
        var providers = registry.snapshot().providers();
        var serving = providers.stream()
                .filter(ReadinessCheck::canServe)
                .map(ProviderState::name)
                .toList();
        if (!serving.isEmpty()) {
            return Result.healthy(
                    serving.size() + " of " + providers.size() + " providers can serve: " + String.join(", ", serving));
        }
        String down = providers.stream()
                .filter(ProviderState::enabled)
                .map(state -> state.name() + " (" + state.status() + ")")
                .collect(Collectors.joining(", "));
        return Result.unhealthy("No provider can serve" + (down.isEmpty() ? ": none is enabled" : ": " + down));
    }

    static boolean canServe(ProviderState state) {
        return state.enabled() && state.status() != ProviderStatus.DOWN;
    }
}
