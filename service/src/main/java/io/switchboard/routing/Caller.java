package io.switchboard.routing;

/**
 * Who makes a routed call and through which door: what the gateway's accounts (ledger, budgets,
 * per-key limits) need to know of a request besides its body.
 *
 * @param requestId the request's id, as the client sees it in {@code X-Request-Id}
 * @param keyId     the gateway key's id, or null when the gateway runs without keys
 * @param endpoint  the API path it came in by, e.g. {@code /v1/chat/completions}
 */
public record Caller(String requestId, String keyId, String endpoint) {}
