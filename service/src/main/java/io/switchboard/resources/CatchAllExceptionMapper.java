package io.switchboard.resources;

import io.switchboard.api.ApiException;
import io.switchboard.api.ErrorDetail;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The last line: anything unexpected is logged in full with an id, and the client gets a 500 in
 * OpenAI's shape with that id, never a stack trace or a class name.
 */
public final class CatchAllExceptionMapper implements ExceptionMapper<Throwable> {

    private static final Logger LOG = LoggerFactory.getLogger(CatchAllExceptionMapper.class);

    @Override
    public Response toResponse(Throwable exception) {
        String id = Long.toHexString(ThreadLocalRandom.current().nextLong());
        LOG.error("Unexpected error {}", id, exception);
        return ErrorResponses.of(new ApiException(
                500,
                new ErrorDetail(
                        "The server had an error while processing your request (error id " + id + ").",
                        ErrorDetail.SERVER_ERROR,
                        null,
                        null)));
    }
}
