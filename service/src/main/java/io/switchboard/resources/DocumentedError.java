package io.switchboard.resources;

import java.util.Arrays;
import java.util.Optional;

/**
 * The error responses the OpenAPI document describes once, under {@code components/responses},
 * for operations to reference by status. The wording follows docs/api.md's error table.
 */
public enum DocumentedError {
    BAD_REQUEST(
            400,
            "BadRequest",
            "The request is invalid: the body is not a JSON object, a parameter is missing,"
                    + " of the wrong type or out of range (`invalid_request_error`), or the model cannot do this operation"
                    + " (`unsupported_model`). An upstream's own 4xx answer is relayed with its status."),
    NOT_FOUND(404, "NotFound", "No such model (`model_not_found`); the message suggests close matches."),
    PAYLOAD_TOO_LARGE(
            413, "PayloadTooLarge", "The body is larger than `gateway.maxRequestSize`" + " (`request_too_large`)."),
    UNSUPPORTED_MEDIA_TYPE(
            415, "UnsupportedMediaType", "The `Content-Type` is not JSON" + " (`unsupported_media_type`)."),
    RATE_LIMITED(
            429,
            "RateLimited",
            "The upstream is rate limiting; `Retry-After`, when present, says how many" + " seconds to wait."),
    BAD_GATEWAY(
            502,
            "BadGateway",
            "The upstream failed (`upstream_error`), could not be reached"
                    + " (`upstream_unreachable`) or answered something unreadable (`upstream_malformed_response`)."),
    SERVICE_UNAVAILABLE(
            503,
            "ServiceUnavailable",
            "The upstream is overloaded, or the call was abandoned" + " (`request_cancelled`)."),
    GATEWAY_TIMEOUT(
            504,
            "GatewayTimeout",
            "No complete answer within `gateway.requestTimeout`, or the upstream was"
                    + " silent longer than the provider's `readTimeout` (`upstream_timeout`).");

    private final int status;
    private final String component;
    private final String description;

    DocumentedError(int status, String component, String description) {
        this.status = status;
        this.component = component;
        this.description = description;
    }

    public static Optional<DocumentedError> of(int status) {
        return Arrays.stream(values()).filter(error -> error.status == status).findFirst();
    }

    public int status() {
        return status;
    }

    /** Its name under {@code components/responses}. */
    public String component() {
        return component;
    }

    public String description() {
        return description;
    }
}
