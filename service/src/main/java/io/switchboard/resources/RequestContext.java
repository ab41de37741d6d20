package io.switchboard.resources;

import io.switchboard.routing.Target;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.container.AsyncResponse;
import org.slf4j.MDC;

/**
 * What the gateway knows about one request while it runs: its id, when it began, and (once
 * routed) which provider and model served it. Kept as servlet request attributes so the access
 * log can print them ({@code %reqAttribute{switchboard.provider}} …).
 */
public final class RequestContext {

    public static final String ATTRIBUTE = "switchboard.context";
    public static final String REQUEST_ID = "switchboard.requestId";
    public static final String PROVIDER = "switchboard.provider";
    public static final String MODEL = "switchboard.model";
    public static final String STREAMED = "switchboard.streamed";

    public static final String PROVIDER_HEADER = "X-Switchboard-Provider";
    public static final String MODEL_HEADER = "X-Switchboard-Model";
    public static final String OVERHEAD_HEADER = "X-Switchboard-Overhead-Ms";
    public static final String ATTEMPTS_HEADER = "X-Switchboard-Attempts";

    private final String id;
    private final long startNanos;
    private final HttpServletRequest request;

    RequestContext(String id, long startNanos, HttpServletRequest request) {
        this.id = id;
        this.startNanos = startNanos;
        this.request = request;
        request.setAttribute(ATTRIBUTE, this);
        request.setAttribute(REQUEST_ID, id);
        request.setAttribute(STREAMED, false);
    }

    /** The request's context; one is made on the spot if the filter did not run (tests, odd paths). */
    public static RequestContext of(HttpServletRequest request) {
        Object context = request.getAttribute(ATTRIBUTE);
        return context instanceof RequestContext known ? known
                : new RequestContext(RequestIdFilter.newId(), System.nanoTime(), request);
    }

    public String id() {
        return id;
    }

    public long elapsedNanos() {
        return System.nanoTime() - startNanos;
    }

    /** Records who served the request, for the access log. */
    void servedBy(Target target, boolean streamed) {
        request.setAttribute(PROVIDER, target.providerName());
        request.setAttribute(MODEL, target.catalogId());
        request.setAttribute(STREAMED, streamed);
    }

    /** Records which provider failed, for the access log. */
    void failedAt(String provider, boolean streamed) {
        if (provider != null) {
            request.setAttribute(PROVIDER, provider);
        }
        request.setAttribute(STREAMED, streamed);
    }

    /**
     * Resumes the request with a failure on the thread that saw it (an upstream's), with this
     * request's id in the MDC meanwhile, so the exception mapper's log line names the request.
     */
    void resumeLogged(AsyncResponse async, Throwable failure) {
        MDC.put(RequestIdFilter.MDC_KEY, id);
        try {
            async.resume(failure);
        } finally {
            MDC.remove(RequestIdFilter.MDC_KEY);
        }
    }

    /** Milliseconds with two decimals, as the overhead header shows them. */
    static String millis(long nanos) {
        long hundredths = Math.max(0, nanos) / 10_000;
        long fraction = hundredths % 100;
        // Not String.format: it looks up locale data on every call, on every response.
        return (hundredths / 100) + (fraction < 10 ? ".0" : ".") + fraction;
    }
}
