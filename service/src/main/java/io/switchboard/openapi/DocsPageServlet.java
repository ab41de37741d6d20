package io.switchboard.openapi;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;

/**
 * Serves the docs page's own files. {@code /docs} without the slash is redirected to
 * {@code /docs/}: served there directly, the page's relative links would miss the directory.
 */
final class DocsPageServlet extends DocsAssetServlet {

    private static final long serialVersionUID = 1L;

    DocsPageServlet(String resourcePath, String uriPath) {
        super(resourcePath, uriPath, "index.html");
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        if (request.getPathInfo() == null) {
            String query = request.getQueryString();
            response.sendRedirect(request.getRequestURI() + "/" + (query == null ? "" : "?" + query));
            return;
        }
        super.doGet(request, response);
    }
}
