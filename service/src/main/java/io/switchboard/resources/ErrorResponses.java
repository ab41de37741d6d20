package io.switchboard.resources;

import io.switchboard.api.ApiException;
import io.switchboard.api.ErrorDetail;
import io.switchboard.api.ErrorResponse;
import io.switchboard.provider.ProviderException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.time.Duration;
import java.util.LinkedHashMap;

/**
 * The one table from failures to what a client sees: an HTTP status and OpenAI's error body.
 * An upstream's own 4xx keeps its status and message, prefixed with the provider's name; the
 * gateway's failures to reach or understand an upstream are 502, 503 or 504.
 */
public final class ErrorResponses {

    private ErrorResponses() {}

    public static Response of(ApiException e) {
        var builder = Response.status(e.status())
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ErrorResponse(e.detail()));
        e.headers().forEach(builder::header);
        return builder.build();
    }

    /** Translates an upstream failure into the client's terms. */
    public static ApiException of(ProviderException e) {
        String provider = e.provider() != null ? e.provider() : "upstream";
        ErrorDetail upstream = e.upstreamError();
        String message = provider + ": " + e.getMessage();
        var headers = new LinkedHashMap<String, String>();
        Duration retryAfter = e.retryAfter();
        if (retryAfter != null) {
            // Whole seconds, rounded up; the parser caps the value, so this cannot overflow.
            headers.put("Retry-After", Long.toString((retryAfter.toMillis() + 999) / 1000));
        }
        if (e.attempts() > 0) {
            headers.put(RequestContext.ATTEMPTS_HEADER, Integer.toString(e.attempts()));
        }
        return switch (e.kind()) {
            case UPSTREAM_4XX, AUTHENTICATION ->
                new ApiException(
                        e.clientStatus(), upstreamDetail(upstream, message, ErrorDetail.INVALID_REQUEST), headers);
            case RATE_LIMITED ->
                new ApiException(e.clientStatus(), upstreamDetail(upstream, message, "rate_limit_error"), headers);
            case UPSTREAM_5XX ->
                new ApiException(
                        e.clientStatus(),
                        new ErrorDetail(
                                message,
                                ErrorDetail.API_ERROR,
                                null,
                                upstream != null && upstream.code() != null ? upstream.code() : "upstream_error"),
                        headers);
            case CONNECT ->
                new ApiException(
                        e.clientStatus(),
                        new ErrorDetail(message, ErrorDetail.API_ERROR, null, "upstream_unreachable"),
                        headers);
            case TIMEOUT ->
                new ApiException(
                        e.clientStatus(),
                        new ErrorDetail(message, ErrorDetail.API_ERROR, null, "upstream_timeout"),
                        headers);
            case MALFORMED ->
                new ApiException(
                        e.clientStatus(),
                        new ErrorDetail(message, ErrorDetail.API_ERROR, null, "upstream_malformed_response"),
                        headers);
            case CANCELLED ->
                new ApiException(
                        e.clientStatus(),
                        new ErrorDetail(message, ErrorDetail.API_ERROR, null, "request_cancelled"),
                        headers);
            case UNSUPPORTED ->
                upstream != null
                        ? new ApiException(
                                e.clientStatus(),
                                upstreamDetail(upstream, message, ErrorDetail.INVALID_REQUEST),
                                headers)
                        : new ApiException(
                                e.clientStatus(),
                                ErrorDetail.invalidRequest(e.getMessage(), "model", "unsupported_model"),
                                headers);
        };
    }

    /** The body of an in-band stream error: the same detail a non-streamed request would get. */
    public static ErrorResponse body(ProviderException e) {
        return new ErrorResponse(of(e).detail());
    }

    private static ErrorDetail upstreamDetail(ErrorDetail upstream, String message, String defaultType) {
        if (upstream == null) {
            return new ErrorDetail(message, defaultType, null, null);
        }
        return new ErrorDetail(
                message, upstream.type() != null ? upstream.type() : defaultType, upstream.param(), upstream.code());
    }
}
