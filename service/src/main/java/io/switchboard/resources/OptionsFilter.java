package io.switchboard.resources;

import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.HttpHeaders;

/**
 * Jersey answers {@code OPTIONS} itself, with an {@code Allow} header and no body, and labels
 * that empty body with whatever type the client's {@code Accept} named: an empty
 * {@code application/vnd.sun.wadl+xml} even with WADL generation off. An answer without a body
 * has no content type, so it is dropped.
 */
public final class OptionsFilter implements ContainerResponseFilter {

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        if (HttpMethod.OPTIONS.equals(request.getMethod()) && !response.hasEntity()) {
            response.getHeaders().remove(HttpHeaders.CONTENT_TYPE);
        }
    }
}
