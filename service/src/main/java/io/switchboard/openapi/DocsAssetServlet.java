package io.switchboard.openapi;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.servlets.assets.AssetServlet;
import io.switchboard.api.ErrorDetail;
import io.switchboard.api.ErrorResponse;
import io.switchboard.resources.RequestContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import org.eclipse.jetty.http.HttpStatus;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Static files under {@code /docs/}, whose refusals (a file that is not there, a range that
 * cannot be served) answer in the same OpenAI error shape as the rest of the gateway.
 * Dropwizard's {@link AssetServlet} refuses a missing file with {@code reset()} and
 * {@code setStatus(404)}, an unsatisfiable range with {@code sendError(416)}, both with an empty
 * body; the wrapper notes the refusal and the body is written once the asset servlet is done.
 */
class DocsAssetServlet extends AssetServlet {

    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    DocsAssetServlet(String resourcePath, String uriPath, String indexFile) {
        super(resourcePath, uriPath, indexFile, StandardCharsets.UTF_8);
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        var refusals = new Refusals(response);
        super.doGet(request, refusals);
        if (refusals.status >= 400 && !response.isCommitted()) {
            var route = request.getMethod() + " " + request.getRequestURI();
            var detail = refusals.status == HttpServletResponse.SC_NOT_FOUND
                    ? ErrorDetail.invalidRequest("Invalid URL (" + route + ")", null, "unknown_url")
                    : new ErrorDetail(
                            HttpStatus.getMessage(refusals.status) + " (" + route + ")",
                            refusals.status >= 500 ? ErrorDetail.SERVER_ERROR : ErrorDetail.INVALID_REQUEST,
                            null,
                            null);
            byte[] body = JSON.writeValueAsBytes(new ErrorResponse(detail));
            response.resetBuffer();
            response.setStatus(refusals.status);
            response.setHeader("Cache-Control", "no-store");
            response.setContentType("application/json");
            response.setContentLength(body.length);
            response.getOutputStream().write(body);
        }
    }

    /** Notes a 4xx or 5xx the asset servlet answers with, and keeps Jetty's empty error page out. */
    private static final class Refusals extends HttpServletResponseWrapper {

        private int status;

        Refusals(HttpServletResponse response) {
            super(response);
        }

        @Override
        public void setStatus(int status) {
            this.status = status;
            super.setStatus(status);
        }

        /** The asset servlet resets before it refuses; the request id stays, as on every answer. */
        @Override
        public void reset() {
            String requestId = getHeader(RequestContext.ID_HEADER);
            super.reset();
            if (requestId != null) {
                setHeader(RequestContext.ID_HEADER, requestId);
            }
        }

        @Override
        public void sendError(int status) throws IOException {
            sendError(status, null);
        }

        @Override
        public void sendError(int status, String message) throws IOException {
            // 304 Not Modified comes this way too, and stays as it is: no body.
            if (status < 400 || isCommitted()) {
                super.sendError(status, message);
                return;
            }
            setStatus(status);
        }
    }
}
