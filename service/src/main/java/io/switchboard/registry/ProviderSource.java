package io.switchboard.registry;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Providers that are found while the gateway runs rather than configured: local runtimes that
 * answer on their default ports. The registry asks on start and on every refresh, and publishes
 * what comes back after the configured providers; a name already configured is ignored.
 */
public interface ProviderSource extends AutoCloseable {

    /** A source that never finds anything. */
    ProviderSource NONE = () -> CompletableFuture.completedFuture(List.of());

    /**
     * The providers there are now, each as it should appear in the next snapshot. Never fails:
     * a provider that cannot be reached is a {@code DOWN} state or is left out.
     */
    CompletableFuture<List<ProviderState>> discover();

    /** Releases what the found providers hold; called once, when the registry stops. */
    @Override
    default void close() {}
}
