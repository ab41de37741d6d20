package io.switchboard.routing;

/** How routing treats one provider: its retries and its circuit breaker. */
public record ProviderPolicy(RetryPolicy retry, BreakerSettings breaker) {

    public static final ProviderPolicy DEFAULT = new ProviderPolicy(RetryPolicy.DEFAULT, BreakerSettings.DEFAULT);
}
