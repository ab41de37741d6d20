package io.switchboard.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * The inside of OpenAI's error body. {@code param} and {@code code} are always present, null
 * when they do not apply, as in OpenAI's published {@code Error} schema.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ErrorDetail(
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) String message,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) String type,

        @Schema(requiredMode = Schema.RequiredMode.REQUIRED, nullable = true)
        String param,

        @Schema(requiredMode = Schema.RequiredMode.REQUIRED, nullable = true)
        String code) {

    public static final String INVALID_REQUEST = "invalid_request_error";
    public static final String API_ERROR = "api_error";
    public static final String SERVER_ERROR = "server_error";

    public static ErrorDetail invalidRequest(String message, String param, String code) {
        return new ErrorDetail(message, INVALID_REQUEST, param, code);
    }

    public ErrorDetail withMessage(String newMessage) {
        return new ErrorDetail(newMessage, type, param, code);
    }
}
