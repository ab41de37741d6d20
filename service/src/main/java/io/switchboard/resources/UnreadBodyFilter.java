package io.switchboard.resources;

import jakarta.annotation.Priority;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.Context;
import org.eclipse.jetty.ee10.servlet.HttpInput;

import java.io.IOException;

/**
 * A request refused before its body was read (401, 429, 404, 415 …) must not cost the client
 * its answer. Jetty finishes such an exchange by discarding what has arrived of the body; when
 * the rest arrives a moment later, it closes the connection without a {@code Connection: close}
 * header, with unread bytes in the socket, so the client gets a reset (which can swallow the
 * 401 itself) or reuses a dead keep-alive connection.
 *
 * <p>So: a small body that has already arrived in full is thrown away before the error is sent,
 * and the connection stays usable. Anything else (a body over {@value #DRAIN_LIMIT} bytes, one
 * that is still on its way, one that cannot be read) gets {@code Connection: close} at once, so
 * the client knows and Jetty closes after the answer. A refusal never waits on the client's body:
 * only what Jetty already holds or can take from the socket without blocking is read
 * ({@link HttpInput#available()} and {@link HttpInput#consumeAvailable()}), otherwise a client
 * without a key could declare a body, send a byte of it and hold a server thread until the idle
 * timeout.
 */
@Priority(Priorities.HEADER_DECORATOR)
public final class UnreadBodyFilter implements ContainerResponseFilter {

    /** Dropping this much of a refused body that has arrived is cheaper than a client's reconnect. */
    static final int DRAIN_LIMIT = 64 * 1024;

    private static final String CONNECTION = "Connection";

    @Context
    private HttpServletRequest servletRequest;

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        if (response.getStatus() < 400 || "close".equalsIgnoreCase(response.getHeaderString(CONNECTION))) {
            return;
        }
        long declared = Math.max(
                declaredLength(request, "Content-Length"),
                declaredLength(request, RequestSizeFilter.GZIP_DECLARED_LENGTH));
        boolean chunked = request.getHeaderString("Transfer-Encoding") != null;
        if (declared <= 0 && !chunked) {
            return;
        }
        if (declared > DRAIN_LIMIT || !drainedWithoutWaiting()) {
            response.getHeaders().putSingle(CONNECTION, "close");
        }
    }

    /**
     * A declared body length, or -1. Read here rather than with {@code getLength()}, which
     * parses an int and fails on a hostile 1000000000000.
     */
    private static long declaredLength(ContainerRequestContext request, String name) {
        String header = request.getHeaderString(name);
        if (header == null) {
            return -1;
        }
        try {
            return Long.parseLong(header.strip());
        } catch (NumberFormatException tooLongEvenForALong) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * Drops what has arrived of the body, up to the limit, without ever blocking: reads only while
     * Jetty reports bytes {@linkplain HttpInput#available() available}, then asks whether the end
     * of the body has arrived too ({@link HttpInput#consumeAvailable()}, also non-blocking, which
     * makes the connection non-persistent when it has not). True only when the whole body is gone.
     */
    private boolean drainedWithoutWaiting() {
        try {
            if (!(servletRequest.getInputStream() instanceof HttpInput input)) {
                return false;
            }
            var buffer = new byte[8192];
            long total = 0;
            int available;
            while ((available = input.available()) > 0) {
                int read = input.read(buffer, 0, Math.min(available, buffer.length));
                if (read < 0) {
                    return true;
                }
                total += read;
                if (total > DRAIN_LIMIT) {
                    return false;
                }
            }
            return input.consumeAvailable();
        } catch (IOException | RuntimeException unreadable) {
            // A broken upload, or a body already taken as a Reader: nothing to save, the connection goes.
            return false;
        }
    }
}
