package io.switchboard.routing;

import io.switchboard.provider.ProviderException;

/** Told when routing retries or falls back, so metrics can count it without living here. */
public interface RouteEvents {

    RouteEvents NONE = new RouteEvents() {
        @Override
        public void retried(Target target, ProviderException cause) {
        }

        @Override
        public void fellBack(Target from, Target to, ProviderException cause) {
        }
    };

    /** {@code target} failed with {@code cause} and is tried again. */
    void retried(Target target, ProviderException cause);

    /** {@code from} failed (or was skipped, its breaker open) and {@code to} is tried next. */
    void fellBack(Target from, Target to, ProviderException cause);
}
