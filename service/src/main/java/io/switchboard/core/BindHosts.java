package io.switchboard.core;

import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.core.server.ServerFactory;
import io.dropwizard.jetty.ConnectorFactory;
import io.dropwizard.jetty.HttpConnectorFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the gateway listens when config.yml does not say: the safe choice. The admin port
 * (no authentication, tasks that change log levels) is on loopback whenever its host is left
 * out. The API port is on every interface only when gateway keys guard it; with none configured
 * it is on loopback, so a fresh start never serves its providers (or the model servers it found on
 * this machine) to the network. A host set explicitly ({@code SWITCHBOARD_HOST}) is kept.
 */
public final class BindHosts {

    private static final Logger LOG = LoggerFactory.getLogger(BindHosts.class);
    public static final String LOOPBACK = "127.0.0.1";

    private BindHosts() {}

    /** @param keysConfigured whether gateway.apiKeys or gateway.apiKeysFile names any key */
    public static void apply(ServerFactory server, boolean keysConfigured) {
        if (!(server instanceof DefaultServerFactory standard)) {
            return;
        }
        for (ConnectorFactory connector : standard.getAdminConnectors()) {
            if (connector instanceof HttpConnectorFactory http && unset(http)) {
                http.setBindHost(LOOPBACK);
            }
        }
        for (ConnectorFactory connector : standard.getApplicationConnectors()) {
            if (connector instanceof HttpConnectorFactory http && unset(http)) {
                if (keysConfigured) {
                    http.setBindHost(null); // every interface
                } else {
                    http.setBindHost(LOOPBACK);
                    LOG.info(
                            "The API listens on {} only, as no gateway API keys are configured. To serve other"
                                    + " machines, set keys (SWITCHBOARD_API_KEYS or gateway.apiKeysFile), then"
                                    + " SWITCHBOARD_HOST=0.0.0.0",
                            LOOPBACK);
                }
            }
        }
    }

    private static boolean unset(HttpConnectorFactory http) {
        return http.getBindHost() == null || http.getBindHost().isBlank();
    }
}
