package io.switchboard.routing;

import io.switchboard.api.Usage;
import io.switchboard.provider.ProviderException;

/**
 * Told of every routed call from its start to its end, so the gateway can keep accounts (the
 * usage ledger, budgets, per-key limits) without routing knowing them. {@link #begin} may refuse
 * the call by throwing an {@link io.switchboard.api.ApiException} (a spent budget, a model the
 * key may not use); otherwise exactly one of the returned track's ends is called, once.
 */
public interface CallObserver {

    CallObserver NONE = new CallObserver() {
        @Override
        public Track begin(Caller caller, Route route, boolean streamed, Object request) {
            return Track.NONE;
        }

        @Override
        public boolean wantsUsage() {
            return false;
        }
    };

    /**
     * A call is about to be routed.
     *
     * @param request the client's request as the gateway parsed it (to estimate its cost)
     */
    Track begin(Caller caller, Route route, boolean streamed, Object request);

    /**
     * Whether streams should always carry usage upstream (asked for with
     * {@code stream_options.include_usage}, then removed before the client sees it if the client
     * did not ask), so that every stream's tokens are known.
     */
    boolean wantsUsage();

    /** One call's course. */
    interface Track {

        Track NONE = new Track() {};

        /** A stream's commit point: its first chunk with some of the answer goes to the client. */
        default void firstToken() {}

        /**
         * The call ended. {@code servedBy} is null when no target answered; {@code usage} is what
         * the provider reported, null when it reported none; {@code failure} is null on success.
         *
         * @param clientLeft the client went away before the end
         */
        default void ended(Target servedBy, int attempts, Usage usage, ProviderException failure, boolean clientLeft) {}
    }
}
