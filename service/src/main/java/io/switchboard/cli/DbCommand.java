package io.switchboard.cli;

import io.dropwizard.core.Configuration;
import io.dropwizard.core.setup.Bootstrap;
import io.switchboard.store.Database;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

/**
 * {@code db migrate config.yml}: applies the database migrations the gateway would apply at
 * start, through the same {@link Database}, and prints the schema version. For
 * {@code database.migrateOnStart: false}, where an operator migrates before rolling out. The
 * subcommand is an argparse4j sub-parser of {@code db}, and carries the config file argument
 * itself, so the words read in their natural order.
 */
public final class DbCommand extends SettingsCommand {

    private static final String ACTION = "db_action";

    public DbCommand(Class<? extends Configuration> configurationClass) {
        super("db", "Manage the gateway's database (the database: block of config.yml).", configurationClass);
    }

    @Override
    public void configure(Subparser subparser) {
        var actions = subparser.addSubparsers().dest(ACTION).title("actions").metavar("ACTION");
        var migrate = actions.addParser("migrate")
                .help("apply the migrations not yet applied (creating an SQLite file first); a current schema is"
                        + " left as it is")
                .description("Apply the database migrations not yet applied, as the server does at start with"
                        + " database.migrateOnStart: true, and print the schema version.");
        migrate.epilog("example: java -jar service.jar db migrate config.yml");
        super.configure(migrate);
    }

    @Override
    protected void run(Bootstrap<Configuration> bootstrap, Namespace namespace, Configuration configuration) {
        var config = settings(configuration);
        if (!"migrate".equals(namespace.getString(ACTION))) {
            throw new CommandFailure("Unknown db action: " + namespace.getString(ACTION));
        }
        var settings = config.database()
                .orElseThrow(() -> new CommandFailure("config.yml has no database: block,"
                        + " so there is nothing to migrate (the gateway runs memory-only); see docs/configuration.md"));
        var database = settings.build(bootstrap.getMetricRegistry());
        try {
            var report = database.migrate();
            System.out.println(database.describe() + ": schema version " + report.schemaVersion() + " ("
                    + report.applied() + " migration(s) applied)");
        } finally {
            System.out.flush();
            database.stop();
        }
    }
}
