package io.switchboard.registry;

import java.time.Duration;

/**
 * How the registry probes.
 *
 * @param discoveryTimeout how long one provider's model listing may take
 * @param refreshPeriod    how often every provider is probed again; zero turns it off
 */
public record RegistrySettings(Duration discoveryTimeout, Duration refreshPeriod) {}
