package io.switchboard.store;

import com.codahale.metrics.MetricRegistry;
import io.dropwizard.db.DataSourceFactory;
import io.dropwizard.db.ManagedDataSource;
import io.dropwizard.lifecycle.Managed;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The gateway's database: a connection pool (Dropwizard's {@code DataSourceFactory}), JDBI on it,
 * the Flyway migrations, and the DAOs. The server manages it as a {@link Managed}; a command
 * (such as {@code db migrate}) builds the same object without a Dropwizard environment, calls what
 * it needs and then {@link #stop()}.
 *
 * <p>SQLite is made fit for a server here: WAL (readers never wait for the writer), write
 * transactions that take the lock when they begin (no "database is locked" half-way through), and
 * a busy timeout so a second writer waits its turn instead of failing. PostgreSQL gets its
 * driver's rewriting of batched inserts into multi-row inserts, which the ledger relies on for
 * its throughput. A setting in {@code database.properties} wins over each of these.
 */
public final class Database implements Managed {

    private static final Logger LOG = LoggerFactory.getLogger(Database.class);

    /** Where the migrations live on the class path: the same files for both backends. */
    static final String MIGRATIONS = "classpath:io/switchboard/store/migration";

    private final DataSourceFactory config;
    private final boolean migrateOnStart;
    private final DatabaseBackend backend;
    private final Path sqliteFile;
    private final ManagedDataSource dataSource;
    private final Jdbi jdbi;
    private final KeyDao keys;
    private final UsageDao usage;
    private final ResponseDao responses;

    /**
     * Builds the pool (opening no connection yet) and JDBI.
     *
     * @throws IllegalArgumentException naming {@code database.url} when it is not a supported backend
     */
    public Database(DataSourceFactory config, boolean migrateOnStart, MetricRegistry metrics) {
        this.config = config;
        this.migrateOnStart = migrateOnStart;
        this.backend = DatabaseBackend.of(config.getUrl());
        this.sqliteFile = backend == DatabaseBackend.SQLITE ? sqliteFile(config.getUrl()) : null;
        applyDefaults(config, backend);
        this.dataSource = config.build(metrics, "database");
        this.jdbi = Jdbi.create(dataSource).installPlugin(new SqlObjectPlugin());
        this.keys = new KeyDao(jdbi, System::currentTimeMillis);
        this.usage = new UsageDao(jdbi);
        this.responses = new ResponseDao(jdbi);
    }

    @Override
    public void start() {
        try {
            if (migrateOnStart) {
                var report = migrate();
                LOG.info(
                        "Database: {}, schema version {} ({} migration(s) applied)",
                        describe(),
                        report.schemaVersion(),
                        report.applied());
            } else {
                var pending = flyway().info().pending();
                if (pending.length > 0) {
                    throw new IllegalStateException("database: " + pending.length + " migration(s) pending and"
                            + " database.migrateOnStart is false; run `java -jar service.jar db migrate config.yml`");
                }
                LOG.info("Database: {}, schema version {}", describe(), currentVersion(flyway()));
            }
        } catch (RuntimeException e) {
            closePool();
            throw e;
        }
    }

    @Override
    public void stop() {
        closePool();
    }

    /**
     * Applies the migrations not yet applied, creating the SQLite file (and its directory) first
     * when it does not exist. Safe to run again: a current schema is left as it is. Several
     * instances starting at once on PostgreSQL are serialised by Flyway's lock.
     */
    public MigrationReport migrate() {
        createSqliteDirectory();
        var result = flyway().migrate();
        String version = result.targetSchemaVersion != null ? result.targetSchemaVersion : result.initialSchemaVersion;
        return new MigrationReport(result.migrationsExecuted, version == null ? "none" : version);
    }

    public DatabaseBackend backend() {
        return backend;
    }

    /** For DAOs other than the ones here. */
    public Jdbi jdbi() {
        return jdbi;
    }

    public KeyDao keys() {
        return keys;
    }

    public UsageDao usage() {
        return usage;
    }

    /** The Responses API's stored responses. */
    public ResponseDao responses() {
        return responses;
    }

    /** "SQLite at /var/lib/switchboard/switchboard.db", "PostgreSQL at db:5432/switchboard": never a password. */
    public String describe() {
        if (backend == DatabaseBackend.SQLITE) {
            return "SQLite at " + sqliteFile;
        }
        String rest = config.getUrl().strip().substring(backend.urlPrefix().length());
        int query = rest.indexOf('?');
        rest = query >= 0 ? rest.substring(0, query) : rest;
        rest = rest.startsWith("//") ? rest.substring(2) : rest;
        return "PostgreSQL at " + rest.substring(rest.lastIndexOf('@') + 1);
    }

    private Flyway flyway() {
        return Flyway.configure(Database.class.getClassLoader())
                .dataSource(dataSource)
                .locations(MIGRATIONS)
                .failOnMissingLocations(true)
                .placeholders(Map.of("auto_id", backend.autoIdColumn()))
                .load();
    }

    private static String currentVersion(Flyway flyway) {
        MigrationInfo current = flyway.info().current();
        return current == null || current.getVersion() == null
                ? "none"
                : current.getVersion().getVersion();
    }

    private void createSqliteDirectory() {
        if (sqliteFile == null || Files.exists(sqliteFile)) {
            return;
        }
        try {
            Files.createDirectories(sqliteFile.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("database.url: cannot create the directory of " + sqliteFile, e);
        }
        LOG.info("Database: creating {}", sqliteFile);
    }

    private void closePool() {
        try {
            dataSource.stop();
        } catch (Exception e) {
            LOG.warn("Database: closing the connection pool failed", e);
        }
    }

    /**
     * The file a {@code jdbc:sqlite:} URL names, absolute: {@code jdbc:sqlite:data/sb.db},
     * {@code jdbc:sqlite:file:data/sb.db?…} or {@code jdbc:sqlite:file:///abs/sb.db}. An in-memory
     * database is refused: each pooled connection would get its own, and all would be lost at exit.
     */
    static Path sqliteFile(String url) {
        String rest = url.strip().substring(DatabaseBackend.SQLITE.urlPrefix().length());
        int query = rest.indexOf('?');
        rest = query >= 0 ? rest.substring(0, query) : rest;
        if (rest.startsWith("file:")) {
            rest = rest.substring("file:".length());
            rest = rest.startsWith("///") ? rest.substring(2) : rest;
        }
        String lower = rest.toLowerCase(Locale.ROOT);
        if (rest.isBlank()
                || lower.contains(":memory:")
                || lower.startsWith(":resource:")
                || url.toLowerCase(Locale.ROOT).contains("mode=memory")) {
            throw new IllegalArgumentException("database.url must name an SQLite file (jdbc:sqlite:path/to/file.db);"
                    + " for a gateway without a database, leave the database: block out");
        }
        return Path.of(rest).toAbsolutePath().normalize();
    }

    /** The backend's connection settings, under what config.yml sets; and its driver when none is named. */
    private static void applyDefaults(DataSourceFactory config, DatabaseBackend backend) {
        if (config.getDriverClass() == null) {
            config.setDriverClass(backend.driverClass());
        }
        var properties = new LinkedHashMap<String, String>();
        if (backend == DatabaseBackend.SQLITE) {
            properties.put(SQLiteConfig.Pragma.JOURNAL_MODE.getPragmaName(), "WAL");
            // In WAL mode NORMAL is safe from corruption; it only gives up the last commits on a power cut.
            properties.put(SQLiteConfig.Pragma.SYNCHRONOUS.getPragmaName(), "NORMAL");
            properties.put(SQLiteConfig.Pragma.BUSY_TIMEOUT.getPragmaName(), "10000");
            properties.put(SQLiteConfig.Pragma.TRANSACTION_MODE.getPragmaName(), "IMMEDIATE");
        } else {
            properties.put("reWriteBatchedInserts", "true");
            properties.put("ApplicationName", "switchboard");
        }
        properties.putAll(config.getProperties());
        config.setProperties(properties);
    }
}
