package io.switchboard.store;

import com.codahale.metrics.MetricRegistry;
import io.switchboard.testing.PostgresServer;
import io.switchboard.testing.TestDatabases;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The stored responses table on a real SQLite file and a real PostgreSQL server: the same SQL on both. */
class StoreResponseDaoTest {

    @TempDir
    Path directory;

    @ParameterizedTest
    @EnumSource(DatabaseBackend.class)
    void savesFindsReplacesDeletesAndPurgesByAge(DatabaseBackend backend) {
        var config = backend == DatabaseBackend.SQLITE
                ? TestDatabases.sqlite(directory.resolve("responses.db"))
                : TestDatabases.postgres(PostgresServer.shared().createDatabase());
        var database = config.build(new MetricRegistry());
        database.start();
        try {
            var dao = database.responses();
            String big = "{\"id\":\"resp_old\",\"output\":[\"" + "x".repeat(200_000) + "\"]}";
            dao.save(new StoredResponse("resp_old", "vk_a", null, 1_000, big, "[{\"id\":\"msg_1\"}]"));
            dao.save(new StoredResponse("resp_new", null, "resp_old", 5_000, "{\"id\":\"resp_new\"}", "[]"));

            var old = dao.find("resp_old").orElseThrow();
            assertThat(old.keyId()).isEqualTo("vk_a");
            assertThat(old.response()).isEqualTo(big);
            assertThat(old.inputItems()).isEqualTo("[{\"id\":\"msg_1\"}]");
            var next = dao.find("resp_new").orElseThrow();
            assertThat(next.keyId()).isNull();
            assertThat(next.previousResponseId()).isEqualTo("resp_old");

            dao.save(new StoredResponse("resp_new", null, null, 6_000, "{\"v\":2}", "[]"));
            assertThat(dao.find("resp_new").orElseThrow().response())
                    .as("saved again: replaced")
                    .isEqualTo("{\"v\":2}");

            assertThat(dao.purgeBefore(5_000)).isEqualTo(1);
            assertThat(dao.find("resp_old")).isEmpty();
            assertThat(dao.delete("resp_new")).isTrue();
            assertThat(dao.delete("resp_new")).isFalse();
            assertThat(dao.find("missing")).isEmpty();
        } finally {
            database.stop();
        }
    }
}
