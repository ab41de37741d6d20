package io.switchboard.store;

import com.codahale.metrics.MetricRegistry;
import io.switchboard.config.DatabaseConfiguration;
import io.switchboard.testing.PostgresServer;
import io.switchboard.testing.TestDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The database itself, on a real SQLite file and a real PostgreSQL server: the file and its
 * directory made on first start, the migrations (the same files on both) applied once, the
 * settings that make SQLite fit for a server, and the URLs that are refused.
 */
class StoreDatabaseTest {

    @TempDir
    Path directory;

    private DatabaseConfiguration configFor(DatabaseBackend backend) {
        return backend == DatabaseBackend.SQLITE
                ? TestDatabases.sqlite(directory.resolve("sb.db"))
                : TestDatabases.postgres(PostgresServer.shared().createDatabase());
    }

    @Test
    void theSqliteFileAndItsDirectoryAreCreatedOnFirstStart() {
        Path file = directory.resolve("not/yet/there/switchboard.db");
        var database = TestDatabases.sqlite(file).build(new MetricRegistry());

        database.start();
        try {
            assertThat(file).isRegularFile();
            assertThat(database.describe()).isEqualTo("SQLite at " + file);
            assertThat(tables(database)).contains("virtual_keys", "usage_ledger", "stored_responses");
        } finally {
            database.stop();
        }
    }

    @ParameterizedTest
    @EnumSource(DatabaseBackend.class)
    void migrationsAppliedTwiceAreANoOp(DatabaseBackend backend) {
        var config = configFor(backend);
        var first = config.build(new MetricRegistry());
        try {
            assertThat(first.backend()).isEqualTo(backend);
            assertThat(first.migrate()).isEqualTo(new MigrationReport(2, "2"));
            assertThat(first.migrate()).as("again, same process").isEqualTo(new MigrationReport(0, "2"));
            first.keys().insert("vk_kept", "sk-sb-kept", "a".repeat(64), StoreKeyDaoTest.settings("kept"));
            first.responses().save(new StoredResponse("resp_kept", "vk_kept", null, 1, "{}", "[]"));
        } finally {
            first.stop();
        }
        var restarted = config.build(new MetricRegistry());
        restarted.start();
        try {
            assertThat(restarted.migrate()).as("again, after a restart").isEqualTo(new MigrationReport(0, "2"));
            assertThat(restarted.keys().find("vk_kept")).as("data survives").isPresent();
            assertThat(restarted.responses().find("resp_kept"))
                    .as("stored responses survive")
                    .isPresent();
        } finally {
            restarted.stop();
        }
    }

    @ParameterizedTest
    @EnumSource(DatabaseBackend.class)
    void withoutMigrateOnStartAPendingSchemaStopsTheStart(DatabaseBackend backend) {
        var config = TestDatabases.configuration(configFor(backend).getUrl(), Map.of("migrateOnStart", false));
        var database = config.build(new MetricRegistry());

        assertThatThrownBy(database::start)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("2 migration(s) pending")
                .hasMessageContaining("db migrate");
        database.migrate();
        database.start();
        database.stop();
    }

    @Test
    void sqliteRunsInWalModeWithABusyTimeout() {
        var database = TestDatabases.sqlite(directory.resolve("wal.db")).build(new MetricRegistry());
        database.start();
        try {
            database.jdbi().useHandle(handle -> {
                assertThat(handle.createQuery("PRAGMA journal_mode")
                                .mapTo(String.class)
                                .one())
                        .isEqualToIgnoringCase("wal");
                assertThat(handle.createQuery("PRAGMA busy_timeout")
                                .mapTo(Integer.class)
                                .one())
                        .isEqualTo(10_000);
                assertThat(handle.createQuery("PRAGMA synchronous")
                                .mapTo(Integer.class)
                                .one())
                        .as("NORMAL")
                        .isEqualTo(1);
            });
        } finally {
            database.stop();
        }
    }

    @Test
    void aSettingInPropertiesWinsOverTheDefault() {
        var config = TestDatabases.configuration(
                "jdbc:sqlite:" + directory.resolve("props.db"), Map.of("properties", Map.of("busy_timeout", "1234")));
        var database = config.build(new MetricRegistry());
        database.start();
        try {
            int timeout = database.jdbi()
                    .withHandle(handle -> handle.createQuery("PRAGMA busy_timeout")
                            .mapTo(Integer.class)
                            .one());
            assertThat(timeout).isEqualTo(1234);
        } finally {
            database.stop();
        }
    }

    @Test
    void anotherKindOfDatabaseIsAConfigErrorNamingTheUrl() {
        var config = TestDatabases.postgres("jdbc:mysql://db.example:3306/switchboard?user=u&password=hunter2");

        assertThatThrownBy(() -> config.build(new MetricRegistry()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("database.url must start with jdbc:sqlite:")
                .hasMessageContaining("jdbc:mysql:")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void anInMemorySqliteDatabaseIsRefused() {
        for (String url : List.of(
                "jdbc:sqlite::memory:",
                "jdbc:sqlite:",
                "jdbc:sqlite:file::memory:?cache=shared",
                "jdbc:sqlite:file:x?mode=memory")) {
            assertThatThrownBy(() -> TestDatabases.postgres(url).build(new MetricRegistry()))
                    .as(url)
                    .hasMessageContaining("database.url must name an SQLite file");
        }
    }

    @Test
    void sqliteUrlsNameTheirFile() {
        assertThat(Database.sqliteFile("jdbc:sqlite:/var/lib/sb/sb.db")).isEqualTo(Path.of("/var/lib/sb/sb.db"));
        assertThat(Database.sqliteFile("jdbc:sqlite:file:/var/lib/sb/sb.db?journal_mode=WAL"))
                .isEqualTo(Path.of("/var/lib/sb/sb.db"));
        assertThat(Database.sqliteFile("jdbc:sqlite:file:///var/lib/sb/sb.db")).isEqualTo(Path.of("/var/lib/sb/sb.db"));
        assertThat(Database.sqliteFile("jdbc:sqlite:data/sb.db"))
                .isEqualTo(Path.of("data/sb.db").toAbsolutePath());
    }

    @Test
    void thePostgresDescriptionNeverShowsThePassword() {
        var config = TestDatabases.postgres("jdbc:postgresql://db.example:5432/switchboard?user=sb&password=hunter2");

        assertThat(config.build(new MetricRegistry()).describe())
                .isEqualTo("PostgreSQL at db.example:5432/switchboard");
    }

    private static List<String> tables(Database database) {
        return database.jdbi()
                .withHandle(handle -> handle.createQuery(
                                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
                        .mapTo(String.class)
                        .list());
    }
}
