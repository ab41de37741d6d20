package io.switchboard.resources;

import io.switchboard.api.ResponseHeaders;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;

import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Predicate;

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
        addTo(request::getProperty, headers::containsKey, headers::putSingle);
    }

    /**
     * Adds the headers found in the request's {@code attributes} to a response, as above: one
     * that {@code has} a header keeps it where the accounts' headers are concerned; {@code set}
     * replaces.
     */
    static void addTo(Function<String, Object> attributes, Predicate<String> has, BiConsumer<String, String> set) {
        if (attributes.apply(ResponseHeaders.ATTRIBUTE) instanceof Map<?, ?> every) {
            every.forEach((name, value) -> set.accept(String.valueOf(name), String.valueOf(value)));
        }
        if (attributes.apply(RequestContext.RESPONSE_HEADERS) instanceof Map<?, ?> accounts) {
            accounts.forEach((name, value) -> {
                if (!has.test(String.valueOf(name))) {
                    set.accept(String.valueOf(name), String.valueOf(value));
                }
            });
        }
    }
}
