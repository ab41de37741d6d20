package io.switchboard.provider;

/** A running stream. {@link #cancel} aborts the upstream call; it is idempotent and thread-safe. */
@FunctionalInterface
public interface StreamHandle {

    void cancel();
}
