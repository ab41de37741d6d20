package io.switchboard.provider;

import org.eclipse.jetty.client.HttpClient;

/**
 * Where a provider gets its upstream HTTP client: the gateway's shared pools, threads and TLS
 * behind one call. Part of the SPI so that adapters ask for a client without knowing how the
 * gateway builds it.
 */
public interface HttpClientFactory {

    /** A new, started client for one provider. */
    HttpClient newClient(HttpClientSettings settings);
}
