package io.switchboard.usage;

/**
 * What settling a reservation did.
 *
 * @param chargedMicros what the key's spend grew by (0 when already settled)
 * @param basis         what the charge is
 * @param pastWindow    the request was admitted in a window that has since ended: it was charged
 *                      to that window, not to the current one
 */
public record Settlement(long chargedMicros, Basis basis, boolean pastWindow) {

    public enum Basis {
        /** The request's cost was known and is what was charged. */
        ACTUAL,
        /**
         * The cost was unknown (no usage came back: an error, a client that left, a model without
         * a price); the estimate was charged in its place. Count these: for a model without a
         * price the estimate is 0, so they cost the budget nothing.
         */
        ESTIMATE,
        /** Another call settled it first; nothing changed. */
        ALREADY_SETTLED
    }
}
