package io.switchboard.resources;

import io.switchboard.api.ApiException;
import io.switchboard.api.ErrorDetail;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;

import java.util.Locale;

/**
 * Refuses a body whose declared Content-Length is over the limit before reading a byte of it.
 * Bodies without a length (chunked) are cut off by {@link ApiRequestReader} as they are read.
 *
 * <p>Gzip-encoded bodies are inflated by Jetty's GzipHandler in front of the application, which
 * moves their declared (compressed) length to {@value #GZIP_DECLARED_LENGTH}; that length is held
 * to the same limit, and the inflated bytes are counted by the reader, so a gzip bomb stops at
 * the limit. Any other content coding (a second gzip layer, deflate, br) is refused with 415
 * rather than being parsed as if it were JSON.
 */
@PreMatching
@Priority(Priorities.ENTITY_CODER)
public final class RequestSizeFilter implements ContainerRequestFilter {

    static final String GZIP_DECLARED_LENGTH = "X-Content-Length";

    private final long maxBytes;

    public RequestSizeFilter(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        String encoding = request.getHeaderString("Content-Encoding");
        if (encoding != null
                && !encoding.isBlank()
                && !"identity".equals(encoding.strip().toLowerCase(Locale.ROOT))) {
            throw new ApiException(
                    415,
                    ErrorDetail.invalidRequest(
                            "Unsupported Content-Encoding: send the body" + " uncompressed or gzip-compressed.",
                            null,
                            "unsupported_content_encoding"));
        }
        refuseOverLimit(request.getHeaderString("Content-Length"));
        refuseOverLimit(request.getHeaderString(GZIP_DECLARED_LENGTH));
    }

    private void refuseOverLimit(String declared) {
        if (declared == null) {
            return;
        }
        long length;
        try {
            length = Long.parseLong(declared.trim());
        } catch (NumberFormatException e) {
            return; // Jetty refuses a malformed Content-Length before this runs
        }
        if (length > maxBytes) {
            throw ApiRequestReader.tooLarge(maxBytes);
        }
    }
}
