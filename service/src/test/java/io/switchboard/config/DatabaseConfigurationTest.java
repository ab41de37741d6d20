package io.switchboard.config;

import com.codahale.metrics.MetricRegistry;
import io.dropwizard.configuration.ConfigurationException;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.store.DatabaseBackend;
import io.switchboard.usage.LedgerSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The database: and ledger: blocks, parsed as strictly as the rest of config.yml. */
class DatabaseConfigurationTest {

    private static SwitchboardConfiguration parse(String yaml) throws Exception {
        return ConfigParsing.parse(yaml);
    }

    private static SwitchboardConfiguration defaultConfig(Map<String, String> environment) throws Exception {
        return ConfigParsing.defaultConfig(environment);
    }

    @Test
    void theDefaultConfigUsesAnSqliteFileWhosePathComesFromTheEnvironment() throws Exception {
        var database = defaultConfig(Map.of()).database().orElseThrow();
        assertThat(database.getUrl()).isEqualTo("jdbc:sqlite:switchboard.db");
        assertThat(database.migrateOnStart()).isTrue();

        var moved = defaultConfig(Map.of("SWITCHBOARD_DB_PATH", "/var/lib/switchboard/sb.db"))
                .database()
                .orElseThrow();
        assertThat(moved.getUrl()).isEqualTo("jdbc:sqlite:/var/lib/switchboard/sb.db");
    }

    @Test
    void theDefaultConfigTakesAPostgresDatabaseFromTheEnvironment() throws Exception {
        var database = defaultConfig(Map.of(
                        "SWITCHBOARD_DATABASE_URL", "jdbc:postgresql://postgres:5432/switchboard",
                        "SWITCHBOARD_DATABASE_USER", "switchboard",
                        "SWITCHBOARD_DATABASE_PASSWORD", "p@ss: #wo\\rd\"${X}",
                        "SWITCHBOARD_DB_PATH", "/ignored/when/a/url/is/set.db"))
                .database()
                .orElseThrow();

        assertThat(database.getUrl()).isEqualTo("jdbc:postgresql://postgres:5432/switchboard");
        assertThat(database.getUser()).isEqualTo("switchboard");
        assertThat(database.getPassword())
                .as("single-quoted in config.yml: YAML's special characters arrive as they are")
                .isEqualTo("p@ss: #wo\\rd\"${X}");
        var built = database.build(new MetricRegistry());
        assertThat(built.backend()).isEqualTo(DatabaseBackend.POSTGRESQL);
        assertThat(built.describe()).isEqualTo("PostgreSQL at postgres:5432/switchboard");
    }

    @Test
    void anEmptyUserAndPasswordAreNoneAndSqliteRunsWithThem(@TempDir Path directory) throws Exception {
        var config = defaultConfig(Map.of(
                        "SWITCHBOARD_DB_PATH", directory.resolve("sb.db").toString(),
                        "SWITCHBOARD_DATABASE_USER", "",
                        "SWITCHBOARD_DATABASE_PASSWORD", ""))
                .database()
                .orElseThrow();
        assertThat(config.getUser()).isNull();
        assertThat(config.getPassword()).isNull();
        assertThat(defaultConfig(Map.of()).database().orElseThrow().getUser()).isNull();

        var database = config.build(new MetricRegistry());
        database.start();
        try {
            assertThat(database.backend()).isEqualTo(DatabaseBackend.SQLITE);
            assertThat(database.keys().list(true)).isEmpty();
        } finally {
            database.stop();
        }
        assertThat(directory.resolve("sb.db")).isRegularFile();
    }

    @Test
    void theDefaultConfigBatchesTheLedger() throws Exception {
        assertThat(defaultConfig(Map.of()).ledger().settings())
                .isEqualTo(new LedgerSettings(Duration.ofMillis(200), 500, 50_000, Duration.ofSeconds(5)));
    }

    @Test
    void withoutADatabaseBlockTheGatewayIsMemoryOnly() throws Exception {
        var config = parse("providers: []\n");

        assertThat(config.database()).isEmpty();
        assertThat(config.ledger().settings().batchSize()).isEqualTo(500);
    }

    @Test
    void aPostgresBlockTakesDataSourceSettings() throws Exception {
        var database = parse("""
                database:
                  url: jdbc:postgresql://db:5432/switchboard
                  user: switchboard
                  password: s3cret
                  maxSize: 8
                  migrateOnStart: false
                  properties:
                    sslmode: require
                """).database().orElseThrow();

        assertThat(database.getUser()).isEqualTo("switchboard");
        assertThat(database.getMaxSize()).isEqualTo(8);
        assertThat(database.getMinSize()).as("the gateway's default").isZero();
        assertThat(database.migrateOnStart()).isFalse();
        assertThat(database.getProperties()).containsEntry("sslmode", "require");
        assertThat(database.getDriverClass())
                .as("chosen from the URL when the database starts")
                .isNull();
    }

    @Test
    void anUnsupportedUrlFailsStartupNamingDatabaseUrl() {
        assertThatThrownBy(() -> parse("database:\n  url: jdbc:mysql://db/switchboard\n"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("database.url must start with jdbc:sqlite: (a file) or jdbc:postgresql:");
        assertThatThrownBy(() -> parse("database:\n  migrateOnStart: true\n"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("database.url");
    }

    @Test
    void aTypoInTheBlocksFailsStartup() {
        assertThatThrownBy(() -> parse("database:\n  url: jdbc:sqlite:x.db\n  migrateOnStrat: true\n"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("migrateOnStrat");
        assertThatThrownBy(() -> parse("ledger:\n  flushIntervall: 1s\n"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("flushIntervall");
    }

    @Test
    void theLedgerBoundsAreChecked() {
        assertThatThrownBy(() -> parse("ledger:\n  batchSize: 0\n"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("ledger.batchSize");
        assertThatThrownBy(() -> parse("ledger:\n  batchSize: 1000\n  maxHeldRows: 999\n"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("ledger.maxHeldRows must be at least ledger.batchSize");
        assertThatThrownBy(() -> parse("ledger:\n  flushInterval: 0ms\n"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("ledger.flushInterval");
    }
}
