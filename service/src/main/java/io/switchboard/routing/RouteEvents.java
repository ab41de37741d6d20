package io.switchboard.routing;

import io.switchboard.provider.ProviderException;

/** Told when routing retries or falls back, so metrics can count it without living here. */
public interface RouteEvents {

    RouteEvents NONE = new RouteEvents() {
        @Override
        public void retried(Target target, ProviderException cause) {}

        @Override
        public void fellBack(Target from, Target to, ProviderException cause) {}
    };

    /**
     * One attempt failed, whatever comes next (a retry, a fallback, or the end). Not told of
     * attempts abandoned because the client left.
     *
     * @param requestId the request's id, or null when the caller gave none
     * @param attempt   which attempt of the request this was, from 1
     */
    default void attemptFailed(String requestId, Target target, int attempt, ProviderException error) {}

    /** Both, in order. */
    static RouteEvents both(RouteEvents first, RouteEvents second) {
        return new RouteEvents() {
            @Override
            public void attemptFailed(String requestId, Target target, int attempt, ProviderException error) {
                first.attemptFailed(requestId, target, attempt, error);
                second.attemptFailed(requestId, target, attempt, error);
            }

            @Override
            public void retried(Target target, ProviderException cause) {
                first.retried(target, cause);
                second.retried(target, cause);
            }

            @Override
            public void fellBack(Target from, Target to, ProviderException cause) {
                first.fellBack(from, to, cause);
                second.fellBack(from, to, cause);
            }
        };
    }

    /** {@code target} failed with {@code cause} and is tried again. */
    void retried(Target target, ProviderException cause);

    /** {@code from} failed (or was skipped, its breaker open) and {@code to} is tried next. */
    void fellBack(Target from, Target to, ProviderException cause);
}
