package io.switchboard.config;

import io.switchboard.provider.ProviderFactory;

import java.util.List;
import java.util.Optional;

/**
 * The parts of config.yml the gateway itself is built from: {@code gateway:}, {@code providers:},
 * {@code database:}, {@code ledger:}, {@code pricing:} and {@code cluster:}. The application's configuration implements it, so the core and the
 * commands can take it without naming the application's own class.
 */
public interface GatewaySettings {

    GatewayConfiguration gateway();

    List<ProviderFactory> providers();

    /** The database of keys, usage and budgets; empty: memory-only. */
    Optional<DatabaseConfiguration> database();

    /** How usage rows reach the database. */
    LedgerConfiguration ledger();

    /** Price overrides and the output-token cap of cost estimates. */
    PricingConfiguration pricing();

    /** What several instances share (Redis); by default nothing: every limit is per instance. */
    default ClusterConfiguration cluster() {
        return new ClusterConfiguration();
    }

    /**
     * What Bean Validation cannot say: names unique (providers, local runtimes), the default
     * provider and alias targets pointing at configured providers. Empty when all is well.
     */
    default List<String> crossCheck() {
        return ConfigurationChecks.crossCheck(gateway(), providers());
    }
}
