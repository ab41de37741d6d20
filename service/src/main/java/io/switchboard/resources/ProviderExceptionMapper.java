package io.switchboard.resources;

import io.switchboard.provider.ProviderException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** An upstream failure, in the client's terms. */
public final class ProviderExceptionMapper implements ExceptionMapper<ProviderException> {

    private static final Logger LOG = LoggerFactory.getLogger(ProviderExceptionMapper.class);

    @Override
    public Response toResponse(ProviderException exception) {
        LOG.info(
                "Upstream {} failed ({}): {}",
                exception.provider(),
                exception.kind().label(),
                exception.getMessage());
        return ErrorResponses.of(ErrorResponses.of(exception));
    }
}
