package io.switchboard.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;

/**
 * The {@code cluster:} block: what several instances behind one load balancer share. Without
 * {@code cluster.redis.uri} every limit, budget counter and circuit breaker is per instance (the
 * database of keys and the ledger may still be shared, through PostgreSQL).
 */
public class ClusterConfiguration {

    @Valid
    @NotNull
    @JsonProperty
    private RedisConfiguration redis = new RedisConfiguration();

    /** Announce a provider's circuit opening to the other instances (Redis pub/sub); needs {@code redis.uri}. */
    @JsonProperty
    private boolean shareCircuits = false;

    public RedisConfiguration redis() {
        return redis;
    }

    public boolean shareCircuits() {
        return shareCircuits;
    }

    /** Whether limits are shared: a Redis URI is set. */
    public boolean enabled() {
        return redis.configured();
    }
}
