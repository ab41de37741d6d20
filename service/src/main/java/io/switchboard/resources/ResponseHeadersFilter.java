package io.switchboard.resources;

import io.switchboard.api.ResponseHeaders;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;

import java.util.Map;
import java.util.function.Function;

/**
 * Adds the headers a request gathered for its response to a response Jersey writes, JSON,
 * error or event stream: first those every response to it carries ({@link ResponseHeaders}: a
 * gateway key's {@code x-ratelimit-*-requests}), replacing any of the same name; then those a
 * routed call's accounts asked for ({@link RequestContext#RESPONSE_HEADERS}: the key's
 * {@code x-ratelimit-*} when Redis took its requests per minute with the call's other limits),
 * where the response does not have them yet. A stream the relay begins itself gets the same
 * ({@link #addTo}).
 */
public final class ResponseHeadersFilter implements ContainerResponseFilter {

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        var headers = response.getHeaders();
        addTo(request::getProperty, new Sink() {
            @Override
            public boolean has(String name) {
                return headers.containsKey(name);
            }

            @Override
            public void set(String name, String value) {
                headers.putSingle(name, value);
            }
        });
    }

    /** Where the headers go: a response's headers, Jersey's or the servlet's. */
    interface Sink {
        boolean has(String name);

        void set(String name, String value);
    }

    /** Adds the headers found in the request's {@code attributes} to {@code response}, as above. */
    static void addTo(Function<String, Object> attributes, Sink response) {
        if (attributes.apply(ResponseHeaders.ATTRIBUTE) instanceof Map<?, ?> every) {
            every.forEach((name, value) -> response.set(String.valueOf(name), String.valueOf(value)));
        }
        if (attributes.apply(RequestContext.RESPONSE_HEADERS) instanceof Map<?, ?> accounts) {
            accounts.forEach((name, value) -> {
                if (!response.has(String.valueOf(name))) {
                    response.set(String.valueOf(name), String.valueOf(value));
                }
            });
        }
    }
}
