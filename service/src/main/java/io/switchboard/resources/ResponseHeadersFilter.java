package io.switchboard.resources;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;

import java.util.Map;

/**
 * Adds the headers a routed call's accounts asked for ({@link RequestContext#RESPONSE_HEADERS}:
 * the key's {@code x-ratelimit-*} when Redis took its requests per minute with the call's other
 * limits) to the response, JSON or event stream; a header the response already has is kept.
 */
public final class ResponseHeadersFilter implements ContainerResponseFilter {

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        if (request.getProperty(RequestContext.RESPONSE_HEADERS) instanceof Map<?, ?> headers) {
            headers.forEach((name, value) -> {
                if (!response.getHeaders().containsKey(String.valueOf(name))) {
                    response.getHeaders().putSingle(String.valueOf(name), value);
                }
            });
        }
    }
}
