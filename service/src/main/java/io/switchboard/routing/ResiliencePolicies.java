package io.switchboard.routing;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Each provider's retry policy and circuit breaker. Breakers are resilience4j's, one per
 * provider, made on first use with that provider's settings; a provider whose breaker is
 * disabled gets one in resilience4j's DISABLED state, which always permits.
 */
public final class ResiliencePolicies {

    private final CircuitBreakerRegistry registry = CircuitBreakerRegistry.ofDefaults();
    private final Function<String, ProviderPolicy> policies;
    /** Each provider's policy, resolved once: the configuration does not change while running. */
    private final Map<String, ProviderPolicy> resolved = new ConcurrentHashMap<>();

    private final Map<String, CircuitBreaker> breakers = new ConcurrentHashMap<>();

    /** @param policies each provider's policy, by provider name */
    public ResiliencePolicies(Function<String, ProviderPolicy> policies) {
        this.policies = policies;
    }

    /**
     * Tells {@code listener} of every state change of every provider's breaker (made now or
     * later): the provider's name and the transition.
     */
    public void onStateTransition(BiConsumer<String, CircuitBreaker.StateTransition> listener) {
        registry.getEventPublisher()
                .onEntryAdded(added -> added.getAddedEntry()
                        .getEventPublisher()
                        .onStateTransition(
                                event -> listener.accept(event.getCircuitBreakerName(), event.getStateTransition())));
    }

    public ProviderPolicy policy(String provider) {
        return resolved.computeIfAbsent(provider, policies);
    }

    public CircuitBreaker breaker(String provider) {
        return breakers.computeIfAbsent(provider, name -> {
            BreakerSettings settings = policy(name).breaker();
            CircuitBreaker breaker = registry.circuitBreaker(name, () -> config(settings));
            if (!settings.enabled()) {
                breaker.transitionToDisabledState(); // always permits, records nothing
            }
            return breaker;
        });
    }

    /** Each provider's breaker state so far, for health and metrics: closed, open, half_open … */
    public Map<String, CircuitBreaker.State> states() {
        var states = new TreeMap<String, CircuitBreaker.State>();
        registry.getAllCircuitBreakers().forEach(breaker -> states.put(breaker.getName(), breaker.getState()));
        return states;
    }

    /** The state of one provider's breaker; CLOSED when it has not been used yet. */
    public CircuitBreaker.State state(String provider) {
        return registry.find(provider).map(CircuitBreaker::getState).orElse(CircuitBreaker.State.CLOSED);
    }

    /** Records the end of a call that was permitted, for breakers that keep count. */
    static void record(CircuitBreaker breaker, long nanos, Throwable failure, boolean countsAgainst) {
        if (failure == null) {
            breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
        } else if (countsAgainst) {
            breaker.onError(nanos, TimeUnit.NANOSECONDS, failure);
        } else {
            breaker.releasePermission();
        }
    }

    private static CircuitBreakerConfig config(BreakerSettings settings) {
        return CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .failureRateThreshold(settings.failureRateThreshold())
                .slidingWindowSize(settings.slidingWindowSize())
                .minimumNumberOfCalls(settings.minimumNumberOfCalls())
                .waitDurationInOpenState(settings.waitInOpenState())
                .permittedNumberOfCallsInHalfOpenState(settings.permittedCallsInHalfOpenState())
                .ignoreExceptions(CallNotPermittedException.class)
                .build();
    }
}
