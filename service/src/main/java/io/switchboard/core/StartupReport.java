package io.switchboard.core;

import io.dropwizard.lifecycle.ServerLifecycleListener;
import io.switchboard.registry.ProviderRegistry;
import io.switchboard.registry.ProviderStatus;
import io.switchboard.routing.ModelRouter;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.NetworkConnector;
import org.eclipse.jetty.server.Server;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * The one line that says the gateway is up, once its ports are bound: where the API, its docs
 * and the admin port answer, and how many providers and models the first discovery found.
 */
public final class StartupReport implements ServerLifecycleListener {

    private static final Logger LOG = LoggerFactory.getLogger(StartupReport.class);
    /** Dropwizard's names for the connectors of each side. */
    private static final String ADMIN_CONNECTOR = "admin";

    private final ProviderRegistry registry;
    private final ModelRouter router;

    public StartupReport(ProviderRegistry registry, ModelRouter router) {
        this.registry = registry;
        this.router = router;
    }

    @Override
    public void serverStarted(Server server) {
        LOG.info(line(server));
    }

    String line(Server server) {
        var api = new ArrayList<String>();
        var admin = new ArrayList<String>();
        for (Connector connector : server.getConnectors()) {
            if (connector instanceof NetworkConnector network && network.getLocalPort() > 0) {
                String base = url(network);
                if (ADMIN_CONNECTOR.equals(connector.getName())) {
                    admin.add(base + "/");
                } else {
                    api.add(base);
                }
            }
        }
        var providers = registry.snapshot().providers();
        long up = providers.stream()
                .filter(state -> state.enabled() && state.status() == ProviderStatus.UP)
                .count();
        var line = new StringBuilder("Switchboard is up: API ");
        line.append(join(api, "/v1"));
        if (!api.isEmpty()) {
            line.append(", docs ").append(api.get(0)).append("/docs");
        }
        if (!admin.isEmpty()) {
            line.append(", admin ").append(String.join(" ", admin));
        }
        line.append("; ")
                .append(up)
                .append(" of ")
                .append(providers.size())
                .append(providers.size() == 1 ? " provider" : " providers")
                .append(" up, ")
                .append(router.models().size())
                .append(" models");
        return line.toString();
    }

    private static String join(List<String> bases, String path) {
        return bases.isEmpty()
                ? "(none)"
                : String.join(" ", bases.stream().map(base -> base + path).toList());
    }

    /** A URL to paste: every interface is shown as 0.0.0.0, which says so and which curl accepts. */
    private static String url(NetworkConnector connector) {
        String host = connector.getHost();
        if (host == null || host.isBlank()) {
            host = "0.0.0.0";
        } else if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return "http://" + host + ":" + connector.getLocalPort();
    }
}
