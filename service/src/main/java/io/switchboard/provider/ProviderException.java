package io.switchboard.provider;

import io.switchboard.api.ErrorDetail;

import java.time.Duration;
import java.util.Locale;

/**
 * A failure of one upstream call, classified by {@link Kind} so that routing, metrics and the
 * error mapper can decide without parsing messages. Messages never contain a key: whatever an
 * adapter puts in one, and the upstream's own error message, pass through {@link Redaction} here,
 * the one door every upstream failure goes through on its way to clients and logs.
 */
public class ProviderException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** What went wrong, in the terms retry, fallback and metrics need. */
    public enum Kind {
        /** The upstream could not be reached: refused, unresolvable, reset before a response. */
        CONNECT,
        /** No answer (or no next byte) in time. */
        TIMEOUT,
        /** 429 from the upstream. */
        RATE_LIMITED,
        /** 401/403 from the upstream: the provider is misconfigured, not the client. */
        AUTHENTICATION,
        /** Any other 4xx: the request itself was refused. */
        UPSTREAM_4XX,
        /** 5xx (and 529 overloaded) from the upstream. */
        UPSTREAM_5XX,
        /** A response the gateway could not understand. */
        MALFORMED,
        /** The call was abandoned: the client left or the gateway gave up. */
        CANCELLED,
        /** The provider or model does not offer this operation. */
        UNSUPPORTED;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Kind kind;
    private final String provider;
    private final int upstreamStatus;
    private final ErrorDetail upstreamError;
    private final transient Duration retryAfter;
    private volatile int attempts;

    public ProviderException(Kind kind, String provider, String message) {
        this(kind, provider, message, 0, null, null, null);
    }

    public ProviderException(Kind kind, String provider, String message, Throwable cause) {
        this(kind, provider, message, 0, null, null, cause);
    }

    public ProviderException(
            Kind kind,
            String provider,
            String message,
            int upstreamStatus,
            ErrorDetail upstreamError,
            Duration retryAfter,
            Throwable cause) {
        super(Redaction.redact(message), cause);
        this.kind = kind;
        this.provider = provider;
        this.upstreamStatus = upstreamStatus;
        this.upstreamError = redact(upstreamError);
        this.retryAfter = retryAfter;
    }

    /**
     * The adapter cannot express this request in its upstream's protocol; nothing was sent.
     * Every adapter refuses this way: routing goes on to the next candidate (another provider may
     * take it), metrics do not count it as an upstream call, and a client that no candidate can
     * serve gets a 400 with {@code detail}'s message, parameter and code.
     */
    public static ProviderException untranslatable(String provider, ErrorDetail detail) {
        return new ProviderException(Kind.UNSUPPORTED, provider, detail.message(), 400, detail, null, null);
    }

    /** The HTTP status a client is answered with for this failure: one table for responses and the ledger. */
    public int clientStatus() {
        return switch (kind) {
            case UPSTREAM_4XX, AUTHENTICATION -> upstreamStatus >= 400 && upstreamStatus < 500 ? upstreamStatus : 400;
            case UNSUPPORTED -> 400;
            case RATE_LIMITED -> 429;
            case UPSTREAM_5XX -> upstreamStatus == 503 || upstreamStatus == 529 ? 503 : 502;
            case CONNECT, MALFORMED -> 502;
            case TIMEOUT -> 504;
            case CANCELLED -> 503;
        };
    }

    /** How many attempts the route made before it gave up with this failure; 0 if routing never said. */
    public int attempts() {
        return attempts;
    }

    /** Routing notes, on the failure it gives up with, how many attempts it made. */
    public ProviderException attempts(int count) {
        this.attempts = count;
        return this;
    }

    private static ErrorDetail redact(ErrorDetail detail) {
        if (detail == null) {
            return null;
        }
        var redacted = new ErrorDetail(
                Redaction.redact(detail.message()),
                detail.type(),
                Redaction.redact(detail.param()),
                Redaction.redact(detail.code()));
        return redacted.equals(detail) ? detail : redacted;
    }

    public Kind kind() {
        return kind;
    }

    /** The name of the provider that failed, as configured. */
    public String provider() {
        return provider;
    }

    /** The upstream HTTP status, or 0 when no response arrived. */
    public int upstreamStatus() {
        return upstreamStatus;
    }

    /** The error the upstream sent, in OpenAI's shape, or null. */
    public ErrorDetail upstreamError() {
        return upstreamError;
    }

    /** The upstream's Retry-After, or null. */
    public Duration retryAfter() {
        return retryAfter;
    }

    /** Unwraps the CompletionException and friends that futures put around a failure. */
    public static ProviderException from(Throwable failure, String provider) {
        Throwable cause = failure;
        while ((cause instanceof java.util.concurrent.CompletionException
                        || cause instanceof java.util.concurrent.ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof ProviderException providerException) {
            return providerException;
        }
        if (cause instanceof java.util.concurrent.CancellationException) {
            return new ProviderException(Kind.CANCELLED, provider, "The request was cancelled", cause);
        }
        return new ProviderException(
                Kind.MALFORMED,
                provider,
                "Unexpected failure: " + cause.getClass().getSimpleName(),
                cause);
    }
}
