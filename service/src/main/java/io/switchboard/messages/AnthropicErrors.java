package io.switchboard.messages;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.api.ErrorDetail;
import io.switchboard.api.ErrorResponse;
import io.switchboard.resources.RequestContext;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.MediaType;

/**
 * Every error on the Messages API's paths in Anthropic's shape,
 * {@code {"type":"error","error":{"type":…,"message":…},"request_id":…}}, with Anthropic's
 * statuses: whoever refused the request (the key check, the rate limit, the size limit, the
 * body's checks, the router, the accounts, an upstream) wrote OpenAI's shape, and this filter,
 * which sees every response of the application, rewrites it on these paths only. An overloaded
 * upstream (503, after every target was tried) is Anthropic's 529 {@code overloaded_error}.
 */
@Priority(Priorities.USER)
public final class AnthropicErrors implements ContainerResponseFilter {

    /** The Messages API's path, without the leading slash, as JAX-RS reports request paths. */
    static final String PATH_PREFIX = "v1/messages";

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        if (!(response.getEntity() instanceof ErrorResponse error) || !isMessagesPath(request)) {
            return;
        }
        int status = status(response.getStatus());
        response.setStatus(status);
        Object id = request.getProperty(RequestContext.REQUEST_ID);
        response.setEntity(
                body(status, error.error(), id == null ? null : id.toString()),
                response.getEntityAnnotations(),
                MediaType.APPLICATION_JSON_TYPE);
    }

    private static boolean isMessagesPath(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath(false).replaceFirst("^/+", "");
        return path.equals(PATH_PREFIX) || path.startsWith(PATH_PREFIX + "/");
    }

    /** The status Anthropic would answer with: the gateway's 503 (every target overloaded) is its 529. */
    static int status(int status) {
        return status == 503 ? 529 : status;
    }

    /** Anthropic's error body for a status and the gateway's detail. */
    static ObjectNode body(int status, ErrorDetail detail, String requestId) {
        ObjectNode body = NODES.objectNode().put("type", "error");
        body.putObject("error").put("type", type(status)).put("message", detail.message());
        if (requestId != null) {
            body.put("request_id", requestId);
        }
        return body;
    }

    /** Anthropic's error type for an HTTP status (its errors page, "HTTP errors"). */
    static String type(int status) {
        return switch (status) {
            case 401 -> "authentication_error";
            case 402 -> "billing_error";
            case 403 -> "permission_error";
            case 404 -> "not_found_error";
            case 413 -> "request_too_large";
            case 429 -> "rate_limit_error";
            case 504 -> "timeout_error";
            case 529 -> "overloaded_error";
            default -> status >= 500 ? "api_error" : "invalid_request_error";
        };
    }
}
