package io.switchboard.routing;

import io.switchboard.provider.StreamObserver;

/**
 * A stream's consumer as routing sees it: told which target serves the stream just before the
 * first item, which is the commit point. Until then a failure may still be retried elsewhere.
 */
public interface RouteStreamObserver<T> extends StreamObserver<T> {

    /**
     * Called once, right before the first {@link #onNext}.
     *
     * @param upstreamNanos how long the gateway waited on upstreams for this first chunk
     * @param attempts      how many attempts it took
     */
    void onCommit(Target target, long upstreamNanos, int attempts);

    /**
     * Whether {@code item} is worth committing the stream for. Items that carry nothing of the
     * answer yet (the role-only chunk OpenAI and Anthropic streams open with) are held back until
     * one that does, so that a failure right after them (Anthropic's {@code overloaded_error}
     * after {@code message_start}) still falls back instead of reaching the client in-band.
     */
    default boolean commits(T item) {
        return true;
    }
}
