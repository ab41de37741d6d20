package io.switchboard.resources;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;

/**
 * Refuses a body whose declared Content-Length is over the limit before reading a byte of it.
 * Bodies without a length (chunked) are cut off by {@link ApiRequestReader} as they are read.
 */
@PreMatching
@Priority(Priorities.ENTITY_CODER)
public final class RequestSizeFilter implements ContainerRequestFilter {

    private final long maxBytes;

    public RequestSizeFilter(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        String declared = request.getHeaderString("Content-Length");
        if (declared == null) {
            return;
        }
        long length;
        try {
            length = Long.parseLong(declared.trim());
        } catch (NumberFormatException e) {
            return;  // Jetty refuses a malformed Content-Length before this runs
        }
        if (length > maxBytes) {
            throw ApiRequestReader.tooLarge(maxBytes);
        }
    }
}
