package io.switchboard.provider;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What the gateway hands a factory to build its provider with: the JSON mapper for wire types,
 * the factory of upstream HTTP clients, a scheduler for timers (whose tasks must only hand work
 * on, never block), and an executor for that work.
 */
public record ProviderContext(ObjectMapper mapper, UpstreamClients http, ScheduledExecutorService scheduler,
                              Executor executor) {
}
