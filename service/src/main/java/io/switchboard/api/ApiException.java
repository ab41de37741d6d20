package io.switchboard.api;

import java.util.Map;

/**
 * A failure that reaches the client as an HTTP status and an OpenAI-shaped error body. Thrown
 * wherever a request is found wanting; mapped to a response in one place.
 */
public class ApiException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final ErrorDetail detail;
    private final transient Map<String, String> headers;

    public ApiException(int status, ErrorDetail detail) {
        this(status, detail, Map.of());
    }

    public ApiException(int status, ErrorDetail detail, Map<String, String> headers) {
        super(detail.message(), null, false, false);
        this.status = status;
        this.detail = detail;
        this.headers = Map.copyOf(headers);
    }

    public static ApiException badRequest(String message, String param) {
        return new ApiException(400, ErrorDetail.invalidRequest(message, param, null));
    }

    public static ApiException badRequest(String message, String param, String code) {
        return new ApiException(400, ErrorDetail.invalidRequest(message, param, code));
    }

    public int status() {
        return status;
    }

    public ErrorDetail detail() {
        return detail;
    }

    public Map<String, String> headers() {
        return headers;
    }
}
