package io.switchboard.cli;

import io.dropwizard.core.Configuration;
import io.dropwizard.core.setup.Bootstrap;
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
abstract class DatabaseCommand extends SettingsCommand {

    private final String example;

    DatabaseCommand(
            String name, String description, String example, Class<? extends Configuration> configurationClass) {
        super(name, description, configurationClass);
        this.example = example;
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
        var settings = settings(configuration);
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
}
