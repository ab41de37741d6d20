package io.switchboard.resources;

/** Told how much time the gateway itself added to a request (metrics listen). */
@FunctionalInterface
public interface OverheadListener {

    void record(String operation, long nanos);
}
