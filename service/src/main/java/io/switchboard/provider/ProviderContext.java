package io.switchboard.provider;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What the gateway hands a factory to build its provider with: the JSON mapper for wire types,
 * the factory of upstream HTTP clients, a scheduler for timers (whose tasks must only hand work
 * on, never block), an executor for that work, and the gateway-wide upstream timeouts a
 * provider uses unless its own configuration sets them.
 */
public record ProviderContext(
        ObjectMapper mapper,
        HttpClientFactory http,
        ScheduledExecutorService scheduler,
        Executor executor,
        UpstreamTimeouts timeouts) {

    /** How long to wait for a connection, and the longest silence while waiting for bytes. */
    public record UpstreamTimeouts(Duration connect, Duration read) {

        public static final UpstreamTimeouts DEFAULT =
                new UpstreamTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(300));
    }
}
