package io.switchboard.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.switchboard.routing.ProviderPolicy;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;

import java.util.Map;

/**
 * {@code gateway.resilience:} retries and circuit breakers for every provider, and overrides by
 * provider name:
 *
 * <pre>
 * resilience:
 *   retry: {maxAttempts: 2, initialBackoff: 200ms, maxBackoff: 5s, multiplier: 2}
 *   circuitBreaker: {failureRateThreshold: 50, slidingWindowSize: 20, minimumNumberOfCalls: 10, waitInOpenState: 30s}
 *   providers:
 *     openai: {retry: {maxAttempts: 3}}
 * </pre>
 */
public class ResilienceConfiguration {

    @Valid
    @NotNull
    @JsonProperty
    private RetryConfiguration retry = new RetryConfiguration();

    @Valid
    @NotNull
    @JsonProperty
    private CircuitBreakerConfiguration circuitBreaker = new CircuitBreakerConfiguration();

    @Valid
    @NotNull
    @JsonProperty
    private Map<String, ProviderOverride> providers = Map.of();

    public Map<String, ProviderOverride> providers() {
        return providers;
    }

    /** The global policy, built-in defaults under whatever the global blocks set. */
    public ProviderPolicy global() {
        return new ProviderPolicy(
                retry.over(ProviderPolicy.DEFAULT.retry()), circuitBreaker.over(ProviderPolicy.DEFAULT.breaker()));
    }

    /** One provider's policy: its own blocks over the global policy. */
    public ProviderPolicy forProvider(String provider) {
        ProviderPolicy global = global();
        ProviderOverride override = providers.get(provider);
        if (override == null) {
            return global;
        }
        return new ProviderPolicy(override.retry.over(global.retry()), override.circuitBreaker.over(global.breaker()));
    }

    /** {@code resilience.providers.<name>:} the blocks one provider overrides. */
    public static class ProviderOverride {

        @Valid
        @NotNull
        @JsonProperty
        private RetryConfiguration retry = new RetryConfiguration();

        @Valid
        @NotNull
        @JsonProperty
        private CircuitBreakerConfiguration circuitBreaker = new CircuitBreakerConfiguration();
    }
}
