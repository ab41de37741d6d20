package io.switchboard.provider.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.api.ErrorDetail;
import io.switchboard.provider.ProviderException;
import io.switchboard.provider.ProviderException.Kind;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;

/**
 * The one table that turns upstream failures into {@link Kind}s: HTTP statuses and transport
 * exceptions. Tested as a table.
 */
public final class UpstreamErrors {

    private static final int MAX_QUOTED_BODY = 500;
    private static final Duration MAX_RETRY_AFTER = Duration.ofDays(1);

    private UpstreamErrors() {}

    /** The kind of a non-2xx upstream status. */
    public static Kind kindOf(int status) {
        if (status == 401 || status == 403) {
            return Kind.AUTHENTICATION;
        }
        if (status == 408) {
            return Kind.TIMEOUT;
        }
        if (status == 429) {
            return Kind.RATE_LIMITED;
        }
        if (status >= 500) {
            return Kind.UPSTREAM_5XX; // includes Anthropic's 529 overloaded
        }
        return Kind.UPSTREAM_4XX;
    }

    public static ProviderException fromStatus(
            String provider, int status, ErrorDetail upstreamError, Duration retryAfter) {
        String message =
                upstreamError != null && upstreamError.message() != null ? upstreamError.message() : "HTTP " + status;
        return new ProviderException(kindOf(status), provider, message, status, upstreamError, retryAfter, null);
    }

    /** Classifies a transport failure (no HTTP status to go by). */
    public static ProviderException fromFailure(String provider, String url, Throwable failure) {
        Throwable cause = failure;
        // Jetty wraps the interesting exception at most a few levels deep.
        for (int depth = 0; depth < 4 && cause != null; depth++) {
            ProviderException classified = classify(provider, url, cause);
            if (classified != null) {
                return classified;
            }
            cause = cause.getCause();
        }
        String detail = failure.getMessage() != null
                ? failure.getMessage()
                : failure.getClass().getSimpleName();
        return new ProviderException(Kind.CONNECT, provider, "Request to " + url + " failed: " + detail, failure);
    }

    private static ProviderException classify(String provider, String url, Throwable cause) {
        if (cause instanceof ProviderException providerException) {
            return providerException;
        }
        if (cause instanceof CancellationException) {
            return new ProviderException(Kind.CANCELLED, provider, "Request to " + url + " was cancelled", cause);
        }
        if (cause instanceof TimeoutException || cause instanceof SocketTimeoutException) {
            return new ProviderException(
                    Kind.TIMEOUT, provider, "No response from " + url + " in time (" + describe(cause) + ")", cause);
        }
        if (cause instanceof ConnectException || cause instanceof NoRouteToHostException) {
            return new ProviderException(Kind.CONNECT, provider, "Cannot reach " + url + ": " + describe(cause), cause);
        }
        if (cause instanceof UnknownHostException || cause instanceof UnresolvedAddressException) {
            return new ProviderException(
                    Kind.CONNECT, provider, "Cannot reach " + url + ": host name does not resolve", cause);
        }
        if (cause instanceof EOFException || cause instanceof ClosedChannelException) {
            return new ProviderException(
                    Kind.CONNECT, provider, "Connection to " + url + " closed before the response was complete", cause);
        }
        if (cause instanceof IllegalArgumentException
                && String.valueOf(cause.getMessage()).contains("capacity")) {
            // Jetty's "Buffering capacity N exceeded": the body is over maxResponseSize.
            return new ProviderException(
                    Kind.MALFORMED,
                    provider,
                    "Response from " + url + " is larger than the configured maxResponseSize",
                    cause);
        }
        if (cause instanceof IOException && cause.getCause() == null) {
            return new ProviderException(
                    Kind.CONNECT, provider, "Connection to " + url + " failed: " + describe(cause), cause);
        }
        return null;
    }

    private static String describe(Throwable cause) {
        String message = cause.getMessage();
        if (message == null || message.isBlank()) {
            return cause.getClass().getSimpleName();
        }
        return message.toLowerCase(java.util.Locale.ROOT).contains("refused") ? "connection refused" : message;
    }

    /**
     * Parses {@code Retry-After}: delta-seconds (fractions tolerated) or an HTTP date, capped at a
     * day. Null when absent or unreadable.
     */
    public static Duration parseRetryAfter(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String trimmed = value.trim();
        if (isDecimal(trimmed)) {
            double seconds = Double.parseDouble(trimmed);
            return seconds >= MAX_RETRY_AFTER.toSeconds()
                    ? MAX_RETRY_AFTER
                    : Duration.ofMillis((long) (seconds * 1000));
        }
        try {
            var when = ZonedDateTime.parse(trimmed, DateTimeFormatter.RFC_1123_DATE_TIME);
            var delay = Duration.between(ZonedDateTime.now(when.getZone()), when);
            return delay.isNegative() ? Duration.ZERO : delay.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : delay;
        } catch (DateTimeParseException notADate) {
            return null;
        }
    }

    /** Digits, optionally a dot and more digits: what delta-seconds looks like (no NaN, no 1e9). */
    private static boolean isDecimal(String text) {
        int dots = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '.' && i > 0 && i < text.length() - 1 && dots++ == 0) {
                continue;
            }
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return !text.isEmpty();
    }

    /**
     * Reads an OpenAI-style error body. Compatible servers vary, so this also takes
     * {@code {"error":"text"}}, {@code {"message":...}} and {@code {"detail":...}}, and quotes
     * anything else.
     */
    public static UpstreamErrorParser openAiParser(ObjectMapper mapper) {
        return (status, body) -> {
            JsonNode root = readTree(mapper, body);
            if (root != null && root.isObject()) {
                JsonNode error = root.get("error");
                if (error != null && error.isObject()) {
                    return new ErrorDetail(
                            text(error.get("message"), status),
                            text(error.get("type")),
                            text(error.get("param")),
                            text(error.get("code")));
                }
                if (error != null && error.isTextual()) {
                    return new ErrorDetail(error.textValue(), null, null, null);
                }
                for (String field : new String[] {"message", "detail"}) {
                    JsonNode node = root.get(field);
                    if (node != null && !node.isNull()) {
                        return new ErrorDetail(node.isTextual() ? node.textValue() : node.toString(), null, null, null);
                    }
                }
            }
            return new ErrorDetail(quote(status, body), null, null, null);
        };
    }

    /** Parses JSON, or null when the body is not JSON. */
    public static JsonNode readTree(ObjectMapper mapper, byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            return mapper.readTree(body);
        } catch (IOException notJson) {
            return null;
        }
    }

    /** "HTTP 502: <the first 500 characters of the body>". */
    public static String quote(int status, byte[] body) {
        if (body == null || body.length == 0) {
            return "HTTP " + status + " with an empty body";
        }
        String text = new String(body, 0, Math.min(body.length, MAX_QUOTED_BODY * 4), StandardCharsets.UTF_8).strip();
        if (text.length() > MAX_QUOTED_BODY) {
            // Never cut a surrogate pair in half: a lone surrogate is invalid JSON text.
            int end =
                    Character.isHighSurrogate(text.charAt(MAX_QUOTED_BODY - 1)) ? MAX_QUOTED_BODY - 1 : MAX_QUOTED_BODY;
            text = text.substring(0, end) + "…";
        }
        return "HTTP " + status + ": " + text;
    }

    private static String text(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        return node.isTextual() ? node.textValue() : node.toString();
    }

    private static String text(JsonNode node, int status) {
        String text = text(node);
        return text != null ? text : "HTTP " + status;
    }
}
