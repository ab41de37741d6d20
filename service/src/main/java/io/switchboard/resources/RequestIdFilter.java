package io.switchboard.resources;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.MDC;

import java.io.IOException;

/**
 * Gives every request an id: the client's {@code X-Request-Id} when it is sane (1 to 128 of
 * letters, digits and {@code -_.:}), a new one otherwise. The id goes back on the response, into
 * the access log, and into the MDC ({@code %X{requestId}}) for log lines written on the request
 * thread; code that logs from other threads names the id itself.
 */
public final class RequestIdFilter implements Filter {

    public static final String HEADER = RequestContext.ID_HEADER;
    public static final String MDC_KEY = RequestContext.MDC_KEY;

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        var http = (HttpServletRequest) request;
        String id = RequestContext.begin(http, http.getHeader(HEADER)).id();
        ((HttpServletResponse) response).setHeader(HEADER, id);
        MDC.put(MDC_KEY, id);
        try {
            chain.doFilter(request, response);
        } finally {
            MDC.remove(MDC_KEY);
        }
    }
}
