package io.switchboard.resources;

import io.switchboard.api.ApiException;
import io.switchboard.api.ErrorDetail;
import jakarta.ws.rs.NotAcceptableException;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;

import java.util.Map;

/**
 * What Jersey itself refuses (no such route, wrong method, wrong content type) in OpenAI's
 * words: {@code Invalid URL (POST /v1/nope)}.
 */
public final class WebApplicationExceptionMapper implements ExceptionMapper<WebApplicationException> {

    @Context
    private UriInfo uriInfo;

    @Context
    private Request request;

    @Context
    private HttpHeaders headers;

    @Override
    public Response toResponse(WebApplicationException exception) {
        String route = request.getMethod() + " /" + uriInfo.getPath(false).replaceFirst("^/", "");
        int status = exception.getResponse().getStatus();
        ApiException error;
        if (exception instanceof NotFoundException) {
            error = new ApiException(
                    404, ErrorDetail.invalidRequest("Invalid URL (" + route + ")", null, "unknown_url"));
        } else if (exception instanceof NotAllowedException) {
            String allow = exception.getResponse().getHeaderString("Allow");
            error = new ApiException(
                    405,
                    ErrorDetail.invalidRequest("Invalid method for URL (" + route + ")", null, "method_not_allowed"),
                    allow == null ? Map.of() : Map.of("Allow", allow));
        } else if (exception instanceof NotSupportedException) {
            error = new ApiException(
                    415,
                    ErrorDetail.invalidRequest(
                            "Unsupported Content-Type '" + headers.getHeaderString(HttpHeaders.CONTENT_TYPE)
                                    + "': send the body as application/json.",
                            null,
                            "unsupported_media_type"));
        } else if (exception instanceof NotAcceptableException) {
            error = new ApiException(
                    406,
                    ErrorDetail.invalidRequest(
                            "This endpoint answers with application/json (or text/event-stream when streaming).",
                            null,
                            "not_acceptable"));
        } else {
            String reason = Response.Status.fromStatusCode(status) != null
                    ? Response.Status.fromStatusCode(status).getReasonPhrase()
                    : "Request failed";
            error = new ApiException(
                    status,
                    new ErrorDetail(
                            reason,
                            status >= 500 ? ErrorDetail.SERVER_ERROR : ErrorDetail.INVALID_REQUEST,
                            null,
                            null));
        }
        return ErrorResponses.of(error);
    }
}
