package io.switchboard.resources;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.routing.ModelRouter;
import io.switchboard.routing.RouteExecutor;

/**
 * What every API resource needs: parse, route, execute, serialise, report its overhead, and keep
 * streams alive.
 */
public record ApiServices(ApiRequestReader reader, ModelRouter router, RouteExecutor executor, ObjectMapper mapper,
                          OverheadListener overhead, Heartbeats heartbeats) {
}
