package io.switchboard.cli;

import io.switchboard.testing.PostgresServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code db migrate config.yml}, run in-process as {@code main} runs it, on SQLite and PostgreSQL. */
class DbCommandTest {

    @TempDir
    Path directory;

    private Path config(String databaseBlock) throws IOException {
        return Files.writeString(directory.resolve("config.yml"), databaseBlock + "providers: []\n");
    }

    @Test
    void migrateCreatesTheSqliteFileAndAppliesTheMigrationsOnce() throws IOException {
        Path file = directory.resolve("data/switchboard.db");
        Path config = config("database:\n  url: jdbc:sqlite:" + file + "\n");

        var first = run("db", "migrate", config.toString());
        var second = run("db", "migrate", config.toString());

        assertThat(first.exitCode()).as(first.toString()).isZero();
        assertThat(first.out()).isEqualTo("SQLite at " + file + ": schema version 2 (2 migration(s) applied)\n");
        assertThat(file).isRegularFile();
        assertThat(second.out()).isEqualTo("SQLite at " + file + ": schema version 2 (0 migration(s) applied)\n");
        assertThat(second.err()).as("logs are warnings only").doesNotContain("INFO");
    }

    @Test
    void migrateWorksOnPostgres() throws IOException {
        String url = PostgresServer.shared().createDatabase();
        Path config = config("database:\n  url: \"" + url + "\"\n");

        var result = run("db", "migrate", config.toString());

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out())
                .startsWith("PostgreSQL at 127.0.0.1:" + PostgresServer.shared().port() + "/")
                .endsWith(": schema version 2 (2 migration(s) applied)\n");
    }

    @Test
    void withoutADatabaseBlockThereIsNothingToMigrate() throws IOException {
        var result = run("db", "migrate", config("").toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains("config.yml has no database: block").doesNotContain("\tat ");
    }

    @Test
    void anUnreachableDatabaseFailsWithAMessage() throws IOException {
        Path config = config("database:\n  url: jdbc:postgresql://127.0.0.1:1/none\n  maxWaitForConnection: 1s\n");

        var result = run("db", "migrate", config.toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains("Connection to 127.0.0.1:1 refused").doesNotContain("\tat ");
    }

    @Test
    void helpDescribesTheActionWithAnExample() {
        var db = run("db", "--help");
        var migrate = run("db", "migrate", "--help");

        assertThat(db.exitCode()).isZero();
        assertThat(db.out().replaceAll("\\s+", " ")).contains("usage: ", "migrate", "apply the migrations");
        assertThat(migrate.out().replaceAll("\\s+", " "))
                .contains("example: java -jar service.jar db migrate config.yml");
    }

    private static CommandRunner.Result run(String... args) {
        return CommandRunner.run(args);
    }
}
