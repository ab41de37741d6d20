package io.switchboard.routing;

import io.switchboard.api.Usage;
import io.switchboard.provider.ProviderException;

/**
 * Told of a routed call in more detail than the accounts need: each attempt at a target, what the
 * upstream answered, a stream's first item, and the end. This is how tracing follows a call
 * without routing knowing tracing (see {@code io.switchboard.tracing}); {@link #NONE} costs
 * nothing.
 *
 * <p>{@link #begin} runs on the caller's thread, where the caller's context (its trace) is still
 * current; attempts start later on whatever thread routing is on (a retry on the timer's, a
 * fallback on an upstream's), so each attempt's start runs through {@link Attempt#start}, which
 * may put the attempt's own context around it. Nothing here may throw.
 */
public interface CallTracer {

    CallTracer NONE = (caller, route, streamed, request) -> Trace.NONE;

    /**
     * A call is about to be routed.
     *
     * @param request the client's request as the gateway parsed it (a chat request for an
     *     ingress that translates its API to chat)
     */
    Trace begin(Caller caller, Route route, boolean streamed, Object request);

    /** One call's course, from its first attempt to its end. */
    interface Trace {

        Trace NONE = new Trace() {};

        /**
         * An attempt at {@code target} is starting.
         *
         * @param number which attempt of the call this is, from 1, retries and fallbacks counted
         */
        default Attempt attempt(Target target, int number) {
            return Attempt.NONE;
        }

        /**
         * The response, or each item of a stream, as the upstream sent it (before the client's
         * model id is restored on it).
         */
        default void answered(Object value) {}

        /** A stream's commit point: its first item with some of the answer goes to the client. */
        default void firstItem() {}

        /**
         * The call ended, once, before the client is given the end (the response, or the stream's
         * last event). {@code servedBy} is null when no target answered; {@code usage} null when
         * none was reported; {@code failure} null on success (a refusal before any attempt, an
         * upstream failure, or the client leaving).
         */
        default void ended(Target servedBy, int attempts, Usage usage, Throwable failure) {}
    }

    /** One attempt at one target. */
    interface Attempt {

        Attempt NONE = new Attempt() {};

        /**
         * Runs the attempt's start: where the adapter builds and sends its upstream request, on
         * this thread. An implementation may make the attempt's context current meanwhile.
         */
        default void start(Runnable start) {
            start.run();
        }

        /** A stream's attempt delivered its first item (a call's attempt just ends). */
        default void answered() {}

        /** The attempt ended, once: {@code failure} is null when it answered. */
        default void ended(ProviderException failure) {}
    }
}
