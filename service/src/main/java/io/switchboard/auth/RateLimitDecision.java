package io.switchboard.auth;

/**
 * The outcome of one request against a key's limit, with what the {@code x-ratelimit-*} headers
 * report.
 *
 * @param allowed    whether the request may go ahead
 * @param limit      requests per minute for this key
 * @param remaining  requests that could be made right now, after this one
 * @param resetNanos time until the limit is back to its full allowance
 * @param retryNanos when refused, time until one request is allowed again; 0 otherwise
 */
public record RateLimitDecision(boolean allowed, int limit, int remaining, long resetNanos, long retryNanos) {}
