package io.switchboard.cli;

import io.dropwizard.configuration.ConfigurationException;
import io.dropwizard.core.Application;
import io.dropwizard.core.Configuration;
import io.dropwizard.core.cli.Cli;
import io.dropwizard.core.cli.ServerCommand;
import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.core.server.ServerFactory;
import io.dropwizard.core.server.SimpleServerFactory;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.jetty.ConnectorFactory;
import io.dropwizard.jetty.HttpConnectorFactory;
import net.sourceforge.argparse4j.inf.Namespace;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Dropwizard's {@code server}, with the failures a new user meets said in one line each instead
 * of a stack trace: no configuration file named, a file that is not there (said by the
 * configuration factory), a value of the wrong form, and a port something else already holds,
 * named with the variable that moves it. The process still exits non-zero.
 */
public final class GatewayServerCommand<T extends Configuration> extends ServerCommand<T> {

    /** The variables config.yml reads the two ports from. */
    static final String API_PORT_VARIABLE = "SWITCHBOARD_PORT";

    static final String ADMIN_PORT_VARIABLE = "SWITCHBOARD_ADMIN_PORT";

    private final Consumer<T> beforeStart;

    /**
     * {@code beforeStart}: what runs once the configuration is read and its logging set up, the
     * ports are known to be free, and before anything of the gateway is built or started (the
     * JIT's warm-up). It leaves the process as it found it, logging included.
     */
    public GatewayServerCommand(Application<T> application, Consumer<T> beforeStart) {
        super(application, "server", "Runs the gateway: the API, and the admin port");
        this.beforeStart = beforeStart;
    }

    @Override
    public void run(Bootstrap<?> bootstrap, Namespace namespace) throws Exception {
        if (namespace.getString("file") == null) {
            throw new CommandFailure("server needs a configuration file: java -jar service.jar server config.yml"
                    + " (the repository's config.yml runs with no key and no network)");
        }
        super.run(bootstrap, namespace);
    }

    @Override
    protected void run(Bootstrap<T> bootstrap, Namespace namespace, T configuration) throws Exception {
        // Before the environment and the application (database, providers) are built, so a busy
        // port costs nothing and says one thing.
        for (var port : ports(configuration.getServerFactory())) {
            port.checkFree();
        }
        beforeStart.accept(configuration);
        super.run(bootstrap, namespace, configuration);
    }

    @Override
    public void onError(Cli cli, Namespace namespace, Throwable e) {
        String line = null;
        if (e instanceof CommandFailure || e instanceof ConfigurationException) {
            line = e.getMessage();
        } else if (bindFailure(e) != null) {
            // Lost a race with another process after the check above: Jetty's own words, still one line.
            line = bindFailure(e).getMessage() + ": the port is in use; set " + API_PORT_VARIABLE + " or "
                    + ADMIN_PORT_VARIABLE + " to a free one";
        }
        if (line == null) {
            super.onError(cli, namespace, e);
            return;
        }
        cli.getStdErr().println(line.strip());
        cli.getStdErr().flush();
    }

    private static Throwable bindFailure(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof BindException
                    || cause instanceof IOException
                            && String.valueOf(cause.getMessage()).startsWith("Failed to bind")) {
                return cause;
            }
        }
        return null;
    }

    /** One port the server will bind, what it is for, and the variable that moves it. */
    record Port(String role, String variable, String host, int port) {

        void checkFree() {
            try (var socket = new ServerSocket()) {
                socket.setReuseAddress(true); // as Jetty binds: a port in TIME_WAIT is free
                socket.bind(
                        host == null || host.isBlank()
                                ? new InetSocketAddress(port)
                                : new InetSocketAddress(host, port));
            } catch (IOException inUse) {
                throw new CommandFailure("Port " + port + " (" + role + ") is already in use"
                        + (host == null || host.isBlank() ? "" : " on " + host)
                        + ": stop what holds it, or choose another port with " + variable + "=<port>");
            }
        }
    }

    static List<Port> ports(ServerFactory server) {
        var ports = new ArrayList<Port>();
        if (server instanceof DefaultServerFactory standard) {
            for (ConnectorFactory connector : standard.getApplicationConnectors()) {
                add(ports, "the API port", API_PORT_VARIABLE, connector);
            }
            for (ConnectorFactory connector : standard.getAdminConnectors()) {
                add(ports, "the admin port", ADMIN_PORT_VARIABLE, connector);
            }
        } else if (server instanceof SimpleServerFactory simple) {
            add(ports, "the API and admin port", API_PORT_VARIABLE, simple.getConnector());
        }
        return ports;
    }

    private static void add(List<Port> ports, String role, String variable, ConnectorFactory connector) {
        if (connector instanceof HttpConnectorFactory http && http.getPort() > 0) {
            ports.add(new Port(role, variable, http.getBindHost(), http.getPort()));
        }
    }
}
