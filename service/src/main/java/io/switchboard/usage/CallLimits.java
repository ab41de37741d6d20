package io.switchboard.usage;

import java.time.Instant;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Every per-key limit one routed call is held to, taken together before the call and settled
 * after it: requests per minute (when the rate-limit filter left it to the call), tokens per
 * minute (a reservation of the estimate) and the budget (a reservation of the estimated cost).
 * Two implementations swap behind it: this instance's own counters, and counters in Redis shared
 * by every instance ({@code cluster.redis}).
 */
public interface CallLimits {

    /**
     * Takes what {@code ask} asks for, all or nothing.
     *
     * @throws io.switchboard.api.ApiException a 429 in OpenAI's shape when a limit is reached (or
     *     a 503 when the shared limits cannot be read and the policy is to fail closed)
     */
    Hold take(Ask ask);

    /**
     * What one call asks of its key's limits.
     *
     * @param keyId              the gateway key
     * @param requestsPerMinute  the key's RPM limit when this call takes it; 0 when it has none or the filter took it
     * @param tokensPerMinute    the key's TPM limit; 0 when it has none
     * @param tokenEstimate      prompt tokens plus the most it may generate
     * @param budget             the key's budget, or null
     * @param costEstimateMicros the estimated cost, for the budget's reservation
     * @param now                the wall clock, which decides the budget's window
     */
    record Ask(
            String keyId,
            int requestsPerMinute,
            int tokensPerMinute,
            long tokenEstimate,
            Budget budget,
            long costEstimateMicros,
            Instant now) {

        /** Whether there is anything to take at all. */
        public boolean isEmpty() {
            return requestsPerMinute <= 0 && tokensPerMinute <= 0 && budget == null;
        }
    }

    /** What an admitted call holds until it ends; settled exactly once, however it ends. */
    interface Hold {

        Hold NONE = (tokens, cost) -> {};

        /** Headers for the client's response: the requests-per-minute state when this call took it. */
        default Map<String, String> responseHeaders() {
            return Map.of();
        }

        /**
         * Replaces the estimates by what the call used.
         *
         * @param actualTokens the tokens the provider reported, or -1 when unknown (the estimate stands)
         * @param costMicros   the cost, or empty when unknown (the estimate is charged)
         */
        void settle(long actualTokens, OptionalLong costMicros);
    }
}
