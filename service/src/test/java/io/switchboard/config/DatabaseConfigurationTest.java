package io.switchboard.config;

import io.dropwizard.configuration.ConfigurationException;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.usage.LedgerSettings;
import org.junit.jupiter.api.Test;

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
