package io.switchboard.provider;

import java.time.Duration;

/**
 * How one provider's upstream connection pool behaves.
 *
 * @param connectTimeout   how long to wait for a TCP (and TLS) connection
 * @param idleTimeout      how long an unused pooled connection stays open
 * @param maxConnections   connections kept to one upstream host at most; an open stream holds one
 * @param maxQueued        requests that may wait for a connection before new ones fail at once
 */
public record HttpClientSettings(Duration connectTimeout, Duration idleTimeout, int maxConnections, int maxQueued) {}
