package io.switchboard.core;

import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.core.server.ServerFactory;
import io.dropwizard.core.server.SimpleServerFactory;
import io.dropwizard.jetty.ConnectorFactory;
import io.dropwizard.jetty.HttpConnectorFactory;
import io.dropwizard.lifecycle.ServerLifecycleListener;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.NetworkConnector;
import org.eclipse.jetty.server.Server;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The ports the gateway itself listens on, so that local discovery never probes (and registers)
 * the gateway. Known from config.yml at once; a port 0 becomes known only once the server has
 * bound it, which this learns as a server lifecycle listener.
 */
public final class GatewayPorts implements Supplier<Set<Integer>>, ServerLifecycleListener {

    private final Set<Integer> configured;
    private volatile Set<Integer> bound = Set.of();

    public GatewayPorts(Set<Integer> configured) {
        this.configured = Set.copyOf(configured);
    }

    /** The application and admin ports config.yml names (port 0 names none). */
    public static GatewayPorts of(ServerFactory server) {
        var connectors = new ArrayList<ConnectorFactory>();
        if (server instanceof DefaultServerFactory standard) {
            connectors.addAll(standard.getApplicationConnectors());
            connectors.addAll(standard.getAdminConnectors());
        } else if (server instanceof SimpleServerFactory simple) {
            connectors.add(simple.getConnector());
        }
        var ports = new HashSet<Integer>();
        for (ConnectorFactory connector : connectors) {
            if (connector instanceof HttpConnectorFactory http && http.getPort() > 0) {
                ports.add(http.getPort());
            }
        }
        return new GatewayPorts(ports);
    }

    @Override
    public void serverStarted(Server server) {
        var ports = new HashSet<Integer>();
        for (Connector connector : server.getConnectors()) {
            if (connector instanceof NetworkConnector network && network.getLocalPort() > 0) {
                ports.add(network.getLocalPort());
            }
        }
        bound = Set.copyOf(ports);
    }

    @Override
    public Set<Integer> get() {
        if (bound.isEmpty()) {
            return configured;
        }
        var all = new HashSet<>(configured);
        all.addAll(bound);
        return Set.copyOf(all);
    }

    @Override
    public String toString() {
        return "GatewayPorts" + List.copyOf(get());
    }
}
