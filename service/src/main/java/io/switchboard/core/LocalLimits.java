package io.switchboard.core;

import io.switchboard.auth.RateLimitFilter;
import io.switchboard.auth.RateLimiter;
import io.switchboard.usage.Admission;
import io.switchboard.usage.BudgetBook;
import io.switchboard.usage.CallLimits;
import io.switchboard.usage.LimitRefusals;
import io.switchboard.usage.Reservation;
import io.switchboard.usage.TokensPerMinute;

import java.util.Map;
import java.util.OptionalLong;

/**
 * The per-call limits in this instance's memory: the limits of a single gateway, and what a
 * cluster falls back to when Redis does not answer (failure policy {@code open}). Requests per
 * minute are taken here only when the rate-limit filter left them to the call (with shared limits).
 */
final class LocalLimits implements CallLimits {

    private final RateLimiter requests;
    private final TokensPerMinute tokens;
    private final BudgetBook budgets;

    LocalLimits(RateLimiter requests, TokensPerMinute tokens, BudgetBook budgets) {
        this.requests = requests;
        this.tokens = tokens;
        this.budgets = budgets;
    }

    BudgetBook budgets() {
        return budgets;
    }

    @Override
    public Hold take(Ask ask) {
        if (ask.isEmpty()) {
            return Hold.NONE;
        }
        Map<String, String> headers = Map.of();
        if (ask.requestsPerMinute() > 0) {
            var decision = requests.acquire(ask.keyId());
            if (decision.isPresent() && !decision.get().allowed()) {
                throw RateLimitFilter.tooManyRequests(decision.get());
            }
            headers = decision.map(RateLimitFilter::headers).orElse(Map.of());
        }
        long tokenEstimate = 0;
        if (ask.tokensPerMinute() > 0) {
            tokenEstimate = ask.tokenEstimate();
            long waitNanos = tokens.reserve(ask.keyId(), ask.tokensPerMinute(), tokenEstimate);
            if (waitNanos > 0) {
                throw LimitRefusals.tokensExceeded(ask.tokensPerMinute(), tokenEstimate, waitNanos);
            }
        }
        Reservation reservation = null;
        if (ask.budget() != null) {
            var admission = budgets.reserve(ask.keyId(), ask.budget(), ask.costEstimateMicros(), ask.now());
            if (admission instanceof Admission.Refused refused) {
                if (tokenEstimate > 0) {
                    tokens.settle(ask.keyId(), tokenEstimate, 0);
                }
                throw LimitRefusals.quotaExceeded(refused, ask.now());
            }
            reservation = ((Admission.Admitted) admission).reservation();
        }
        return new Taken(ask.keyId(), tokenEstimate, reservation, headers);
    }

    private final class Taken implements Hold {
        private final String keyId;
        private final long tokenEstimate;
        private final Reservation reservation;
        private final Map<String, String> headers;

        Taken(String keyId, long tokenEstimate, Reservation reservation, Map<String, String> headers) {
            this.keyId = keyId;
            this.tokenEstimate = tokenEstimate;
            this.reservation = reservation;
            this.headers = headers;
        }

        @Override
        public Map<String, String> responseHeaders() {
            return headers;
        }

        @Override
        public void settle(long actualTokens, OptionalLong costMicros) {
            if (reservation != null) {
                budgets.settle(reservation, costMicros);
            }
            if (tokenEstimate > 0) {
                tokens.settle(keyId, tokenEstimate, actualTokens >= 0 ? actualTokens : tokenEstimate);
            }
        }
    }
}
