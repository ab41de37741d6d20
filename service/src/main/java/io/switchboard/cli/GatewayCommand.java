package io.switchboard.cli;

import io.dropwizard.core.Configuration;
import io.dropwizard.core.setup.Bootstrap;
import io.switchboard.config.GatewaySettings;
import io.switchboard.core.GatewayCore;
import io.switchboard.core.GatewayPorts;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

import java.io.PrintStream;

/**
 * A command that reads config.yml and works through the same {@link GatewayCore} as the server:
 * it is started (every provider discovered) before {@link #run(GatewayCore, GatewaySettings,
 * Namespace, PrintStream)} and stopped after, so the process exits when the command is done. A
 * failure ends the process with exit code 1 (Dropwizard's {@code Application.onFatalError}).
 */
abstract class GatewayCommand extends SettingsCommand {

    private final String example;

    /** @param example a command line shown under {@code --help} */
    GatewayCommand(String name, String description, String example, Class<? extends Configuration> configurationClass) {
        super(name, description, configurationClass);
        this.example = example;
    }

    @Override
    public void configure(Subparser subparser) {
        super.configure(subparser);
        subparser.epilog("example: " + example);
    }

    @Override
    protected void run(Bootstrap<Configuration> bootstrap, Namespace namespace, Configuration configuration)
            throws Exception {
        var config = settings(configuration);
        // No server runs here, but a configured port is still never probed as a local runtime.
        var core = new GatewayCore(
                config,
                bootstrap.getObjectMapper(),
                GatewayPorts.of(configuration.getServerFactory()),
                bootstrap.getMetricRegistry());
        core.start();
        try {
            run(core, config, namespace, System.out);
        } finally {
            System.out.flush();
            core.stop();
        }
    }

    /** Does the command's work; {@code out} is for its output only (logs go to stderr). */
    protected abstract void run(GatewayCore core, GatewaySettings config, Namespace namespace, PrintStream out)
            throws Exception;
}
