package io.switchboard.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.switchboard.resources.RequestContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.Collections;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.switchboard.tracing.TraceAttributes.CLIENT_ADDRESS;
import static io.switchboard.tracing.TraceAttributes.ERROR_TYPE;
import static io.switchboard.tracing.TraceAttributes.HTTP_REQUEST_METHOD;
import static io.switchboard.tracing.TraceAttributes.HTTP_RESPONSE_STATUS_CODE;
import static io.switchboard.tracing.TraceAttributes.REQUEST_ID;
import static io.switchboard.tracing.TraceAttributes.SERVER_ADDRESS;
import static io.switchboard.tracing.TraceAttributes.SERVER_PORT;
import static io.switchboard.tracing.TraceAttributes.URL_PATH;
import static io.switchboard.tracing.TraceAttributes.URL_SCHEME;
import static io.switchboard.tracing.TraceAttributes.USER_AGENT_ORIGINAL;

/**
 * One SERVER span per request, a child of the client's {@code traceparent} when it sent one, and
 * current while the request is handled on its thread: routing reads it there
 * ({@link RoutedCallTracer}), names it after the call ({@code chat gpt-4o}) and hangs each
 * attempt under it. An asynchronous request (every API call) ends its span when the response is
 * complete, a stream when its last event is written.
 *
 * <p>Tracing off, a request without {@code traceparent} passes straight through; one with it gets
 * a no-op span carrying the client's context, so the context still reaches the upstreams.
 */
final class ServerSpanFilter implements Filter {

    private static final String TRACEPARENT = "traceparent";

    private static final TextMapGetter<HttpServletRequest> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(HttpServletRequest carrier) {
            return Collections.list(carrier.getHeaderNames());
        }

        @Override
        public String get(HttpServletRequest carrier, String key) {
            return carrier == null ? null : carrier.getHeader(key);
        }
    };

    private final Tracer tracer;
    private final TextMapPropagator propagator;
    private final boolean enabled;

    ServerSpanFilter(Tracer tracer, TextMapPropagator propagator, boolean enabled) {
        this.tracer = tracer;
        this.propagator = propagator;
        this.enabled = enabled;
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        var http = (HttpServletRequest) request;
        if (!enabled && http.getHeader(TRACEPARENT) == null) {
            chain.doFilter(request, response);
            return;
        }
        Context parent = propagator.extract(Context.root(), http, HEADERS);
        var builder = tracer.spanBuilder(http.getMethod()).setParent(parent).setSpanKind(SpanKind.SERVER);
        if (enabled) {
            builder.setAttribute(HTTP_REQUEST_METHOD, http.getMethod())
                    .setAttribute(URL_PATH, http.getRequestURI())
                    .setAttribute(URL_SCHEME, http.getScheme())
                    .setAttribute(SERVER_ADDRESS, http.getServerName())
                    .setAttribute(SERVER_PORT, (long) http.getServerPort())
                    .setAttribute(CLIENT_ADDRESS, http.getRemoteAddr());
            String agent = http.getHeader("User-Agent");
            if (agent != null) {
                builder.setAttribute(USER_AGENT_ORIGINAL, agent);
            }
        }
        Span span = builder.startSpan();
        var ending = new Ending(span, http, (HttpServletResponse) response);
        try (Scope ignored = parent.with(span).makeCurrent()) {
            chain.doFilter(request, response);
        } catch (IOException | ServletException | RuntimeException e) {
            span.recordException(e);
            ending.end(500);
            throw e;
        }
        if (request.isAsyncStarted()) {
            request.getAsyncContext().addListener(ending);
        } else {
            ending.end(ending.response.getStatus());
        }
    }

    /** Ends a request's span once, with the response's status, however the request ends. */
    private static final class Ending implements AsyncListener {

        private final Span span;
        private final HttpServletRequest request;
        final HttpServletResponse response;
        private final AtomicBoolean ended = new AtomicBoolean();

        Ending(Span span, HttpServletRequest request, HttpServletResponse response) {
            this.span = span;
            this.request = request;
            this.response = response;
        }

        void end(int status) {
            if (!ended.compareAndSet(false, true)) {
                return;
            }
            if (span.isRecording()) {
                span.setAttribute(HTTP_RESPONSE_STATUS_CODE, (long) status);
                if (request.getAttribute(RequestContext.REQUEST_ID) instanceof String id) {
                    span.setAttribute(REQUEST_ID, id);
                }
                if (status >= 500) {
                    // A server span's 4xx is the client's error, not the server's (HTTP conventions).
                    // The routed call's own error type (upstream_5xx, timeout …) says more than the status.
                    if (!(span instanceof ReadableSpan readable) || readable.getAttribute(ERROR_TYPE) == null) {
                        span.setAttribute(ERROR_TYPE, Integer.toString(status));
                    }
                    span.setStatus(StatusCode.ERROR);
                }
            }
            span.end();
        }

        @Override
        public void onComplete(AsyncEvent event) {
            end(response.getStatus());
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            end(response.getStatus());
        }

        @Override
        public void onError(AsyncEvent event) {
            if (event.getThrowable() != null) {
                span.recordException(event.getThrowable());
            }
            end(response.getStatus() >= 400 ? response.getStatus() : 500);
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
            event.getAsyncContext().addListener(this);
        }
    }
}
