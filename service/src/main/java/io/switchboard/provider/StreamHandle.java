package io.switchboard.provider;

/** A running stream. Cancelling aborts the upstream call; it is idempotent and thread-safe. */
@FunctionalInterface
public interface StreamHandle {

    /** Abandons the stream: the client left, or the gateway gave up. */
    void cancel();

    /**
     * Abandons the stream for a stated reason (a {@link ProviderException} of kind TIMEOUT when
     * the deadline passed), so that decorators can record why. Adapters need not override it.
     */
    default void cancel(Throwable reason) {
        cancel();
    }
}
