package io.switchboard.routing;

import java.util.Map;
import java.util.function.Consumer;

/**
 * Who makes a routed call and through which door: what the gateway's accounts (ledger, budgets,
 * per-key limits) need to know of a request besides its body.
 *
 * @param requestId the request's id, as the client sees it in {@code X-Request-Id}
 * @param keyId     the gateway key's id, or null when the gateway runs without keys
 * @param endpoint  the API path it came in by, e.g. {@code /v1/chat/completions}
 * @param responseHeaders where the accounts put headers for the client's response (the key's
 *     {@code x-ratelimit-*} when its requests per minute were taken with the call's other limits)
 */
public record Caller(String requestId, String keyId, String endpoint, Consumer<Map<String, String>> responseHeaders) {

    public Caller {
        responseHeaders = responseHeaders == null ? headers -> {} : responseHeaders;
    }

    /** A caller whose response takes no headers from the accounts (a command, a test). */
    public Caller(String requestId, String keyId, String endpoint) {
        this(requestId, keyId, endpoint, null);
    }
}
