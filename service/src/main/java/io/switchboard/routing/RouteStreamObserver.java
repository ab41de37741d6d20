package io.switchboard.routing;

import io.switchboard.provider.StreamObserver;

/**
 * A stream's consumer as routing sees it: told which target serves the stream just before the
 * first item, which is the commit point. Until then a failure may still be retried elsewhere.
 */
public interface RouteStreamObserver<T> extends StreamObserver<T> {

    /** Called once, right before the first {@link #onNext}. */
    void onCommit(Target target);
}
