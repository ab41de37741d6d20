package io.switchboard.routing;

import java.time.Duration;

/**
 * Deadlines routing enforces.
 *
 * @param requestTimeout    bounds a whole request, every attempt and backoff included (streams too)
 * @param streamIdleTimeout the longest silence allowed between two events of a stream once it has
 *                          started; then it ends with an in-band error
 */
public record RouteSettings(Duration requestTimeout, Duration streamIdleTimeout) {}
