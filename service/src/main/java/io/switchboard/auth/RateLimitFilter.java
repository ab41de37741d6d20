package io.switchboard.auth;

import io.switchboard.api.ApiException;
import io.switchboard.api.ErrorDetail;
import io.switchboard.api.ResponseHeaders;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;

import java.security.Principal;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Applies the per-key limit after authentication, before the body is read: over the limit is a
 * 429 in OpenAI's shape ({@code type: requests}, {@code code: rate_limit_exceeded}) with
 * {@code Retry-After}. Every response to a limited key carries OpenAI's headers
 * {@code x-ratelimit-limit-requests}, {@code x-ratelimit-remaining-requests} and
 * {@code x-ratelimit-reset-requests}: the filter leaves them in {@link ResponseHeaders#ATTRIBUTE},
 * for the response, JSON, error or stream, to carry.
 */
@Priority(Priorities.AUTHORIZATION)
public final class RateLimitFilter implements ContainerRequestFilter {

    public static final String LIMIT = "x-ratelimit-limit-requests";
    public static final String REMAINING = "x-ratelimit-remaining-requests";
    public static final String RESET = "x-ratelimit-reset-requests";

    private final RequestLimiter limiter;
    private final boolean leavePostsToCall;

    public RateLimitFilter(RequestLimiter limiter) {
        this(limiter, false);
    }

    /**
     * @param leavePostsToCall true with shared limits: a {@code POST} under {@code /v1} is a routed
     *     call, whose requests per minute are taken with its other limits in one step (one Redis
     *     script, all or nothing), so the filter only takes those of the other requests (GETs)
     */
    public RateLimitFilter(RequestLimiter limiter, boolean leavePostsToCall) {
        this.limiter = limiter;
        this.leavePostsToCall = leavePostsToCall;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        Principal principal = request.getSecurityContext() == null
                ? null
                : request.getSecurityContext().getUserPrincipal();
        if (!(principal instanceof ApiKeyPrincipal key)) {
            return;
        }
        if (leavePostsToCall && "POST".equals(request.getMethod())) {
            return;
        }
        var decision = limiter.acquire(key.keyId());
        if (decision.isEmpty()) {
            return;
        }
        request.setProperty(ResponseHeaders.ATTRIBUTE, headers(decision.get()));
        if (!decision.get().allowed()) {
            throw tooManyRequests(decision.get());
        }
    }

    /** OpenAI's {@code x-ratelimit-*-requests} headers for a decision. */
    public static Map<String, String> headers(RateLimitDecision decision) {
        return Map.of(
                LIMIT,
                Integer.toString(decision.limit()),
                REMAINING,
                Integer.toString(decision.remaining()),
                RESET,
                GoDuration.format(decision.resetNanos()));
    }

    /** The 429 of a key over its requests per minute, with {@code Retry-After} and the {@code x-ratelimit-*} headers. */
    public static ApiException tooManyRequests(RateLimitDecision decision) {
        long retrySeconds = Math.max(1, (decision.retryNanos() + 999_999_999L) / 1_000_000_000L);
        var headers = new LinkedHashMap<String, String>();
        headers.put("Retry-After", Long.toString(retrySeconds));
        headers.putAll(headers(decision));
        String message = "Rate limit reached for requests per min (RPM) on this API key: Limit " + decision.limit()
                + ", Used " + decision.limit() + ", Requested 1. Please try again in "
                + GoDuration.format(decision.retryNanos()) + ".";
        return new ApiException(
                429, new ErrorDetail(message, "requests", null, "rate_limit_exceeded"), Map.copyOf(headers));
    }
}
