package io.switchboard.health;

import com.codahale.metrics.health.HealthCheck;
import io.switchboard.registry.ProviderRegistry;
import io.switchboard.registry.ProviderState;

import java.util.function.Function;

/**
 * {@code provider-<name>}: what the registry's last probe of one provider found. It reads the
 * cached snapshot and never calls the upstream, so polling {@code /healthcheck} costs nothing
 * and fans out to no one. Registered as non-critical: a provider outage does not make the
 * gateway unready.
 */
public final class ProviderHealthCheck extends HealthCheck {

    private final ProviderRegistry registry;
    private final String provider;
    private final Function<String, String> breakerState;

    /** @param breakerState the provider's circuit breaker state, by provider name (closed, open …) */
    public ProviderHealthCheck(ProviderRegistry registry, String provider, Function<String, String> breakerState) {
        this.registry = registry;
        this.provider = provider;
        this.breakerState = breakerState;
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
        var result = Result.builder()
                .withDetail("status", state.status().toString())
                .withDetail("type", state.type())
                .withDetail("models", state.models().size())
                .withDetail("circuit_breaker", breakerState.apply(provider));
        if (state.latency() != null) {
            result.withDetail("latency_ms", state.latency().toMillis());
        }
        if (state.checkedAt() != null) {
            result.withDetail("checked_at", state.checkedAt().toString());
        }
        return switch (state.status()) {
            case UP ->
                result.healthy()
                        .withMessage(probed(state) + ": " + state.models().size() + " models in "
                                + state.latency().toMillis() + " ms")
                        .build();
            case DOWN ->
                result.unhealthy()
                        .withMessage(state.error() + " (" + probed(state) + ", gave up after "
                                + state.latency().toMillis() + " ms)")
                        .build();
            case UNKNOWN ->
                result.healthy()
                        .withMessage(
                                state.error() != null
                                        ? state.error()
                                        : "Not probed: the provider cannot list its models")
                        .build();
            case DISABLED ->
                result.healthy().withMessage("Disabled: " + state.error()).build();
        };
    }

    private static String probed(ProviderState state) {
        return state.provider() != null ? state.provider().probeTarget() : state.name();
    }
}
