package io.switchboard.config;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.db.DataSourceFactory;
import io.dropwizard.util.Duration;
import io.switchboard.store.Database;
import jakarta.validation.constraints.Pattern;
import org.slf4j.LoggerFactory;

import java.util.Optional;

/**
 * The {@code database:} block: Dropwizard's {@link DataSourceFactory} (url, user, password,
 * driverClass, properties, pool sizes…) plus whether migrations run at start. The URL decides the
 * backend: {@code jdbc:sqlite:<file>} (the default, embedded) or {@code jdbc:postgresql://…}
 * (several gateway instances). {@code driverClass} may be left out: the URL's driver is used.
 *
 * <p>The pool defaults suit the gateway rather than Dropwizard's (10 to 100 connections): its
 * database work is one ledger writer, one key poller and the admin API, and SQLite has one writer
 * at a time whatever the pool size. Connections are checked when borrowed (at most once a second
 * each) so that after a database restart the pool notices within a second, not thirty.
 */
public class DatabaseConfiguration extends DataSourceFactory {

    /** Apply pending migrations when the gateway starts; off: start fails while any is pending. */
    @JsonProperty
    private boolean migrateOnStart = true;

    public DatabaseConfiguration() {
        // None opened ahead (nor kept when idle for a minute): a database that is down then fails
        // with the driver's message, once, instead of the pool logging a stack trace before it.
        setInitialSize(0);
        setMinSize(0);
        setMaxSize(4);
        setCheckConnectionOnBorrow(true);
        setValidationInterval(Duration.seconds(1));
    }

    /** The database this block describes (its pool opens no connection until started). */
    public Database build(MetricRegistry metrics) {
        return new Database(this, migrateOnStart, metrics);
    }

    /**
     * The database config.yml asks for, or none: without a {@code database:} block the gateway
     * runs memory-only, and says so here, once.
     */
    public static Optional<Database> buildIfConfigured(Optional<DatabaseConfiguration> config, MetricRegistry metrics) {
        if (config.isEmpty()) {
            LoggerFactory.getLogger(DatabaseConfiguration.class)
                    .info("No database configured: memory-only mode"
                            + " (gateway keys from config.yml only, no virtual keys, no usage ledger, budgets and limits reset"
                            + " on restart); add a database: block to keep them");
            return Optional.empty();
        }
        return Optional.of(config.get().build(metrics));
    }

    public boolean migrateOnStart() {
        return migrateOnStart;
    }

    /**
     * An empty user is none: config.yml reads it as {@code '${SWITCHBOARD_DATABASE_USER:-}'}, and
     * SQLite, which has no login, must not be handed one.
     */
    @Override
    @JsonProperty("user")
    public void setUser(String user) {
        super.setUser(noneIfEmpty(user));
    }

    /** An empty password is none, like an empty user. */
    @Override
    @JsonProperty("password")
    public void setPassword(String password) {
        super.setPassword(noneIfEmpty(password));
    }

    private static String noneIfEmpty(String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    /** The same URL, with the constraint that names what is supported (reported as {@code database.url}). */
    @Override
    @JsonProperty
    @Pattern(
            regexp = "(?is)\\s*jdbc:(sqlite|postgresql):.+",
            message = "must start with jdbc:sqlite: (a file) or jdbc:postgresql: (a PostgreSQL 15+ server)")
    public String getUrl() {
        return super.getUrl();
    }
}
