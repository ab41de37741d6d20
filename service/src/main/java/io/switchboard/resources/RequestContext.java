package io.switchboard.resources;

import io.switchboard.routing.Caller;
import io.switchboard.routing.Target;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import org.slf4j.MDC;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What the gateway knows about one request while it runs: its id, when it began, and (once
 * routed) which provider and model served it. Kept as servlet request attributes so the access
 * log can print them ({@code %reqAttribute{switchboard.provider}} …).
 */
public final class RequestContext {

    /** The header that carries a request's id, both ways. */
    public static final String ID_HEADER = "X-Request-Id";
    /** The MDC key of the request id ({@code %X{requestId}} in log patterns). */
    public static final String MDC_KEY = "requestId";

    public static final String ATTRIBUTE = "switchboard.context";
    public static final String REQUEST_ID = "switchboard.requestId";
    public static final String PROVIDER = "switchboard.provider";
    public static final String MODEL = "switchboard.model";
    public static final String STREAMED = "switchboard.streamed";
    /** Headers the accounts asked for on the response ({@link ResponseHeadersFilter} adds them). */
    public static final String RESPONSE_HEADERS = "switchboard.responseHeaders";

    public static final String PROVIDER_HEADER = "X-Switchboard-Provider";
    public static final String MODEL_HEADER = "X-Switchboard-Model";
    public static final String OVERHEAD_HEADER = "X-Switchboard-Overhead-Ms";
    public static final String ATTEMPTS_HEADER = "X-Switchboard-Attempts";

    private final String id;
    private final long startNanos;
    private final HttpServletRequest request;

    private static final int MAX_ID_LENGTH = 128;

    private RequestContext(String id, long startNanos, HttpServletRequest request) {
        this.id = id;
        this.startNanos = startNanos;
        this.request = request;
        request.setAttribute(ATTRIBUTE, this);
        request.setAttribute(REQUEST_ID, id);
        request.setAttribute(STREAMED, false);
    }

    /**
     * Starts a request's context and attaches it to the request: the id is the client's
     * {@code offeredId} when it is sane (1 to 128 of letters, digits and {@code -_.:}), a new one
     * otherwise.
     */
    public static RequestContext begin(HttpServletRequest request, String offeredId) {
        return new RequestContext(isSane(offeredId) ? offeredId : newId(), System.nanoTime(), request);
    }

    /** The request's context; one is begun on the spot if the filter did not run (tests, odd paths). */
    public static RequestContext of(HttpServletRequest request) {
        Object context = request.getAttribute(ATTRIBUTE);
        return context instanceof RequestContext known ? known : begin(request, null);
    }

    static boolean isSane(String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_ID_LENGTH) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean allowed = c >= 'a' && c <= 'z'
                    || c >= 'A' && c <= 'Z'
                    || c >= '0' && c <= '9'
                    || c == '-'
                    || c == '_'
                    || c == '.'
                    || c == ':';
            if (!allowed) {
                return false;
            }
        }
        return true;
    }

    static String newId() {
        var random = ThreadLocalRandom.current();
        return "req_" + Long.toHexString(random.nextLong() | Long.MIN_VALUE)
                + Long.toHexString(random.nextLong() | Long.MIN_VALUE);
    }

    /**
     * Who makes this request, for routing's accounts: its id, the gateway key it authenticated
     * with (the principal's name is the key's id), and the endpoint it came in by.
     */
    public Caller caller(SecurityContext security, String endpoint) {
        var principal = security == null ? null : security.getUserPrincipal();
        return new Caller(
                id,
                principal == null ? null : principal.getName(),
                endpoint,
                headers -> request.setAttribute(RESPONSE_HEADERS, Map.copyOf(headers)));
    }

    public String id() {
        return id;
    }

    HttpServletRequest request() {
        return request;
    }

    public long elapsedNanos() {
        return System.nanoTime() - startNanos;
    }

    /**
     * Records who served the request, for the access log, and tells the client on the response:
     * provider, model, attempts, and the gateway's own time.
     */
    Response.ResponseBuilder servedBy(
            Response.ResponseBuilder response, Target target, boolean streamed, int attempts, long overheadNanos) {
        servedBy(target, streamed, attempts, overheadNanos).forEach(response::header);
        return response;
    }

    /**
     * As {@link #servedBy(Response.ResponseBuilder, Target, boolean, int, long)}, for a response
     * written to the servlet response itself: the headers to send, in order.
     */
    Map<String, String> servedBy(Target target, boolean streamed, int attempts, long overheadNanos) {
        request.setAttribute(PROVIDER, target.providerName());
        request.setAttribute(MODEL, target.catalogId());
        request.setAttribute(STREAMED, streamed);
        var headers = new LinkedHashMap<String, String>(8);
        headers.put(PROVIDER_HEADER, target.providerName());
        headers.put(MODEL_HEADER, target.catalogId());
        headers.put(ATTEMPTS_HEADER, Integer.toString(attempts));
        headers.put(OVERHEAD_HEADER, millis(overheadNanos));
        return headers;
    }

    /** Adds the headers this request gathered for its response ({@link ResponseHeadersFilter}) to {@code response}. */
    void addGatheredHeaders(HttpServletResponse response) {
        ResponseHeadersFilter.addTo(request::getAttribute, response::containsHeader, response::setHeader);
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
        MDC.put(MDC_KEY, id);
        try {
            async.resume(failure);
        } finally {
            MDC.remove(MDC_KEY);
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
