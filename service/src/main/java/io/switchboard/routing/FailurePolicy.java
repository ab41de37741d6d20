package io.switchboard.routing;

import io.switchboard.provider.ProviderException.Kind;

/**
 * What to do after a failed attempt, by kind of failure. One table, tested as a table.
 */
public enum FailurePolicy {
    /** Try the same target again (after a backoff), then the next. */
    RETRY,
    /** Do not retry this target; go on to the next candidate. */
    NEXT,
    /** Give the failure to the client as it is. */
    STOP;

    public static FailurePolicy of(Kind kind) {
        return switch (kind) {
            // Connect failures, timeouts before the first byte, 429 and 5xx (529 included) are transient.
            case CONNECT, TIMEOUT, RATE_LIMITED, UPSTREAM_5XX -> RETRY;
            // 401/403: this provider is misconfigured; another may not be. The same for a provider that
            // cannot do the job or answers nonsense.
            case AUTHENTICATION, UNSUPPORTED, MALFORMED -> NEXT;
            // 400/404/422 …: the request itself is refused, and would be everywhere. A client that left
            // needs nothing more.
            case UPSTREAM_4XX, CANCELLED -> STOP;
        };
    }

    /** Whether a failure of this kind counts against the provider's circuit breaker. */
    public static boolean countsAgainstProvider(Kind kind) {
        return switch (kind) {
            case CONNECT, TIMEOUT, RATE_LIMITED, UPSTREAM_5XX, AUTHENTICATION, MALFORMED -> true;
            case UPSTREAM_4XX, CANCELLED, UNSUPPORTED -> false;
        };
    }
}
