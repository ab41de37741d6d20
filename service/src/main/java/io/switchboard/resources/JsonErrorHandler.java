package io.switchboard.resources;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.api.ErrorDetail;
import io.switchboard.api.ErrorResponse;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Errors Jetty answers itself, below Jersey (a bad request line, headers too large, broken
 * chunking), in OpenAI's JSON shape instead of Jetty's HTML page. Never shows a stack.
 */
public final class JsonErrorHandler extends ErrorHandler {

    private static final HttpField JSON = new HttpField(HttpHeader.CONTENT_TYPE, "application/json");
    private static final String UNSUPPORTED_VERSION = "this server speaks HTTP/1.1 (and HTTP/1.0)";
    private final ObjectMapper mapper = new ObjectMapper();

    public JsonErrorHandler() {
        setShowStacks(false);
        setShowCauses(false);
    }

    /**
     * Every method gets a body. Jetty's default answers only GET, POST and HEAD with one, so a
     * refused TRACE, PUT or {@code PRI} would get an empty error.
     */
    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }

    @Override
    protected void generateResponse(
            Request request, Response response, int code, String message, Throwable cause, Callback callback) {
        if (code == HttpStatus.HTTP_VERSION_NOT_SUPPORTED_505) {
            // A request line with a version this server does not speak (HTTP/0.9, HTTP/9.9, none)
            // is the client's error: 400, not a 5xx that would read as the gateway failing.
            code = HttpStatus.BAD_REQUEST_400;
            message = UNSUPPORTED_VERSION;
            response.setStatus(code);
        }
        response.getHeaders().put(JSON);
        // Jetty falls back to cause.toString() for the message: a class name, and whatever the
        // exception quoted. Only a message of its own is shown.
        boolean fromCause = cause != null && message != null && message.equals(cause.toString());
        response.write(true, ByteBuffer.wrap(body(code, fromCause ? null : message)), callback);
    }

    private byte[] body(int code, String message) {
        String reason = HttpStatus.getMessage(code);
        boolean plain = message == null
                || message.isBlank()
                || message.equals(reason)
                || message.startsWith("org.")
                || message.startsWith("java.");
        String text = plain ? reason : reason + ": " + message;
        var detail = new ErrorDetail(
                text,
                code >= 500 ? ErrorDetail.SERVER_ERROR : ErrorDetail.INVALID_REQUEST,
                null,
                code == 431
                        ? "request_header_fields_too_large"
                        : code == 405
                                ? "method_not_allowed"
                                : UNSUPPORTED_VERSION.equals(message) ? "unsupported_http_version" : null);
        try {
            return mapper.writeValueAsBytes(new ErrorResponse(detail));
        } catch (JsonProcessingException e) {
            return ("{\"error\":{\"message\":\"" + reason
                            + "\",\"type\":\"server_error\",\"param\":null,\"code\":null}}")
                    .getBytes(StandardCharsets.UTF_8);
        }
    }
}
