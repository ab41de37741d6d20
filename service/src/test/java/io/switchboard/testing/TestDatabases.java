package io.switchboard.testing;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.jackson.Jackson;
import io.switchboard.config.DatabaseConfiguration;
import io.switchboard.store.Database;
import io.switchboard.store.DatabaseBackend;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One started, migrated {@link Database} per backend for a test class: an SQLite file in the
 * class's temporary directory and a fresh database of the shared PostgreSQL test cluster. Tests
 * take the one their parameter names and {@link #clear()} the tables between tests.
 */
public final class TestDatabases implements AutoCloseable {

    private static final ObjectMapper MAPPER =
            Jackson.newObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final Map<DatabaseBackend, Database> databases;

    private TestDatabases(Map<DatabaseBackend, Database> databases) {
        this.databases = databases;
    }

    public static TestDatabases open(Path directory) {
        var databases = new EnumMap<DatabaseBackend, Database>(DatabaseBackend.class);
        databases.put(DatabaseBackend.SQLITE, started(sqlite(directory.resolve("test.db"))));
        databases.put(
                DatabaseBackend.POSTGRESQL,
                started(postgres(PostgresServer.shared().createDatabase())));
        return new TestDatabases(databases);
    }

    /** The configuration of an SQLite file, as config.yml would give it. */
    public static DatabaseConfiguration sqlite(Path file) {
        return configuration("jdbc:sqlite:" + file);
    }

    /** The configuration of a PostgreSQL database, by its JDBC URL. */
    public static DatabaseConfiguration postgres(String url) {
        return configuration(url);
    }

    /** A {@code database:} block with {@code url}, read as config.yml is read, plus more of its keys. */
    public static DatabaseConfiguration configuration(String url, Map<String, Object> more) {
        var block = new LinkedHashMap<String, Object>(more);
        block.put("url", url);
        try {
            return MAPPER.convertValue(block, DatabaseConfiguration.class);
        } catch (IllegalArgumentException e) {
            throw new AssertionError("not a valid database block: " + block, e);
        }
    }

    private static DatabaseConfiguration configuration(String url) {
        return configuration(url, Map.of());
    }

    private static Database started(DatabaseConfiguration config) {
        var database = config.build(new MetricRegistry());
        database.start();
        return database;
    }

    public Database get(DatabaseBackend backend) {
        return databases.get(backend);
    }

    /** Empties every table, in both databases. */
    public void clear() {
        for (Database database : databases.values()) {
            database.jdbi().useHandle(handle -> {
                handle.execute("DELETE FROM virtual_keys");
                handle.execute("DELETE FROM usage_ledger");
            });
        }
    }

    @Override
    public void close() {
        databases.values().forEach(Database::stop);
    }
}
