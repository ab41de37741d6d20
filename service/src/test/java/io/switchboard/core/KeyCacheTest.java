package io.switchboard.core;

import com.codahale.metrics.MetricRegistry;
import io.switchboard.store.Database;
import io.switchboard.store.KeySettings;
import io.switchboard.testing.TestDatabases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The key cache's safety net: a full read replaces what polling for changes cannot see. */
class KeyCacheTest {

    @TempDir
    Path directory;

    private Database database;

    @BeforeEach
    void open() {
        database = TestDatabases.sqlite(directory.resolve("keys.db")).build(new MetricRegistry());
        database.start();
    }

    @AfterEach
    void close() {
        database.stop();
    }

    private static KeySettings settings(String name, Integer rpm) {
        return new KeySettings(name, Map.of(), List.of(), null, null, rpm, null, null, true);
    }

    @Test
    void aFullResyncDropsWhatWasRemovedBehindThePollersBack() {
        var keys = database.keys();
        keys.insert("vk_kept", "sk-sb-kept", "a".repeat(64), settings("kept", 60));
        keys.insert("vk_gone", "sk-sb-gone", "b".repeat(64), settings("gone", null));
        var cache = new KeyCache(keys, System::currentTimeMillis);
        cache.refresh();
        assertThat(cache.byHash("b".repeat(64))).isPresent();

        // A row deleted by hand leaves no change for the cursor to see.
        database.jdbi().useHandle(handle -> handle.execute("DELETE FROM virtual_keys WHERE id = 'vk_gone'"));
        cache.refresh();
        assertThat(cache.byHash("b".repeat(64)))
                .as("polling cannot see a deletion")
                .isPresent();

        cache.resync();
        assertThat(cache.byHash("b".repeat(64))).isEmpty();
        assertThat(cache.byId("vk_gone")).isEmpty();
        assertThat(cache.byHash("a".repeat(64))).isPresent();
        assertThat(cache.requestsPerMinute("vk_kept")).hasValue(60);

        // Polling goes on from the fresh cursor: a later change is still seen.
        keys.update("vk_kept", settings("kept", 30));
        cache.refresh();
        assertThat(cache.requestsPerMinute("vk_kept")).hasValue(30);
    }
}
