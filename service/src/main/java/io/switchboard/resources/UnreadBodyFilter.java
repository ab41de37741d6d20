package io.switchboard.resources;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;

import java.io.IOException;
import java.io.InputStream;

/**
 * A request refused before its body was read (401, 429, 404, 415 …) must not cost the client
 * its answer. Jetty finishes such an exchange by discarding what has arrived of the body; when
 * the rest arrives a moment later, it closes the connection without a {@code Connection: close}
 * header, with unread bytes in the socket, so the client gets a reset (which can swallow the
 * 401 itself) or reuses a dead keep-alive connection. So: a small unread body is read and
 * thrown away before the error is sent, and the connection stays usable; a larger one (or one
 * that cannot be read) gets {@code Connection: close}, so the client knows.
 */
@Priority(Priorities.HEADER_DECORATOR)
public final class UnreadBodyFilter implements ContainerResponseFilter {

    /** Reading this much of a refused body is cheaper than a client's reconnect. */
    static final int DRAIN_LIMIT = 64 * 1024;
    private static final String CONNECTION = "Connection";

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        if (response.getStatus() < 400 || "close".equalsIgnoreCase(response.getHeaderString(CONNECTION))) {
            return;
        }
        long declared = declaredLength(request);
        boolean chunked = request.getHeaderString("Transfer-Encoding") != null;
        if (declared <= 0 && !chunked) {
            return;
        }
        if (declared > DRAIN_LIMIT || !drained(request.getEntityStream())) {
            response.getHeaders().putSingle(CONNECTION, "close");
        }
    }

    /**
     * The declared body length, or -1. Read here rather than with {@code getLength()}, which
     * parses an int and fails on a hostile 1000000000000.
     */
    private static long declaredLength(ContainerRequestContext request) {
        String header = request.getHeaderString("Content-Length");
        if (header == null) {
            return -1;
        }
        try {
            return Long.parseLong(header.strip());
        } catch (NumberFormatException tooLongEvenForALong) {
            return Long.MAX_VALUE;
        }
    }

    /** Reads the rest of the body, up to the limit; false when there is more, or it fails. */
    private static boolean drained(InputStream body) {
        var buffer = new byte[8192];
        long total = 0;
        try {
            int read;
            while ((read = body.read(buffer)) != -1) {
                total += read;
                if (total > DRAIN_LIMIT) {
                    return false;
                }
            }
            return true;
        } catch (IOException | RuntimeException unreadable) {
            // A broken or too slow upload: nothing to save, the connection goes.
            return false;
        }
    }
}
