package io.switchboard.health;

import com.codahale.metrics.health.HealthCheck;
import io.switchboard.registry.ProviderRegistry;
import io.switchboard.registry.ProviderState;

/**
 * {@code provider-<name>}: what the registry's last probe of one provider found. It reads the
 * cached snapshot and never calls the upstream, so polling {@code /healthcheck} costs nothing
 * and fans out to no one. Registered as non-critical: a provider outage does not make the
 * gateway unready.
 */
public final class ProviderHealthCheck extends HealthCheck {

    private final ProviderRegistry registry;
    private final String provider;

    public ProviderHealthCheck(ProviderRegistry registry, String provider) {
        this.registry = registry;
        this.provider = provider;
    }

    public static String nameFor(String provider) {
        return "provider-" + provider;
    }

    @Override
    protected Result check() {
        var state = registry.snapshot().provider(provider).orElse(null);
        if (state == null) {
            return Result.builder().healthy().withMessage("Not probed yet").build();
        }
        var result = Result.builder().withDetail("status", state.status().toString())
                .withDetail("type", state.type())
                .withDetail("models", state.models().size());
        if (state.latency() != null) {
            result.withDetail("latency_ms", state.latency().toMillis());
        }
        if (state.checkedAt() != null) {
            result.withDetail("checked_at", state.checkedAt().toString());
        }
        return switch (state.status()) {
            case UP -> result.healthy().withMessage(probed(state) + ": " + state.models().size() + " models in "
                    + state.latency().toMillis() + " ms").build();
            case DOWN -> result.unhealthy().withMessage(state.error() + " (" + probed(state) + ", gave up after "
                    + state.latency().toMillis() + " ms)").build();
            case UNKNOWN -> result.healthy().withMessage("Not probed: the provider cannot list its models").build();
            case DISABLED -> result.healthy().withMessage("Disabled: " + state.error()).build();
        };
    }

    private static String probed(ProviderState state) {
        return state.provider() != null ? state.provider().probeTarget() : state.name();
    }
}
