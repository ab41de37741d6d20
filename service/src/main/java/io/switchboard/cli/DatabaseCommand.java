package io.switchboard.cli;

import io.dropwizard.configuration.ConfigurationException;
import io.dropwizard.core.Configuration;
import io.dropwizard.core.cli.Cli;
import io.dropwizard.core.cli.ConfiguredCommand;
import io.dropwizard.core.setup.Bootstrap;
import io.switchboard.api.ApiException;
import io.switchboard.config.GatewaySettings;
import io.switchboard.store.Database;
import net.sourceforge.argparse4j.inf.Argument;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

import java.io.PrintStream;

/**
 * A command that works on the gateway's database (keys, usage) without starting the gateway: it
 * reads config.yml ({@code -c FILE}, {@code config.yml} by default), opens the database, applies
 * its migrations when {@code database.migrateOnStart} says so, does its work and closes it. A
 * running gateway on the same database sees the changes within a second.
 */
abstract class DatabaseCommand extends ConfiguredCommand<Configuration> {

    private final Class<? extends Configuration> configurationClass;
    private final String example;

    DatabaseCommand(
            String name, String description, String example, Class<? extends Configuration> configurationClass) {
        super(name, description);
        this.configurationClass = configurationClass;
        this.example = example;
    }

    @Override
    @SuppressWarnings("unchecked")
    protected Class<Configuration> getConfigurationClass() {
        return (Class<Configuration>) configurationClass;
    }

    /** The configuration file is an option here, so the positional arguments stay the command's own. */
    @Override
    protected Argument addFileArgument(Subparser subparser) {
        return subparser
                .addArgument("-c", "--config")
                .dest("file")
                .setDefault("config.yml")
                .help("the gateway's configuration file (default: config.yml)");
    }

    @Override
    public void configure(Subparser subparser) {
        super.configure(subparser);
        subparser.epilog("example: " + example);
    }

    @Override
    protected void run(Bootstrap<Configuration> bootstrap, Namespace namespace, Configuration configuration)
            throws Exception {
        var settings = (GatewaySettings) configuration;
        var config = settings.database()
                .orElseThrow(() -> new CommandFailure(
                        "config.yml has no database: block;" + " keys and usage need one (see docs/usage.md)"));
        var database = config.build(bootstrap.getMetricRegistry());
        database.start();
        try {
            run(database, namespace, System.out);
        } finally {
            System.out.flush();
            database.stop();
        }
    }

    protected abstract void run(Database database, Namespace namespace, PrintStream out) throws Exception;

    /** Failures a user can act on print as one message; anything else keeps its stack trace. */
    @Override
    public void onError(Cli cli, Namespace namespace, Throwable e) {
        if (e instanceof CommandFailure
                || e instanceof ApiException
                || e instanceof ConfigurationException
                || e instanceof IllegalArgumentException
                || e instanceof IllegalStateException) {
            cli.getStdErr().println(e.getMessage());
            cli.getStdErr().flush();
        } else {
            super.onError(cli, namespace, e);
        }
    }
}
