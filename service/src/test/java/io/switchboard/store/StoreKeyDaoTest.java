package io.switchboard.store;

import io.switchboard.testing.TestDatabases;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Virtual keys on both backends: every operation, the version bump that lets a poller see every
 * change, bound parameters (hostile text is stored as text), and bounds checked before anything
 * is written.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StoreKeyDaoTest {

    private static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z

    private TestDatabases databases;
    private final AtomicLong now = new AtomicLong(T0);

    @BeforeAll
    void open(@TempDir Path directory) {
        databases = TestDatabases.open(directory);
    }

    @AfterAll
    void close() {
        databases.close();
    }

    @BeforeEach
    void clear() {
        databases.clear();
        now.set(T0);
    }

    /** A DAO on the test's clock. */
    private KeyDao keys(DatabaseBackend backend) {
        return new KeyDao(databases.get(backend).jdbi(), now::get);
    }

    static KeySettings settings(String name) {
        return new KeySettings(name, Map.of(), List.of(), null, null, null, null, null, true);
    }

    static String hash(int n) {
        return String.format("%064x", n);
    }

    @ParameterizedTest
    @EnumSource(DatabaseBackend.class)
    void everyFieldSurvivesTheRoundTrip(DatabaseBackend backend) {
        var settings = new KeySettings(
                "team-a",
                Map.of("team", "a", "owner", "bob"),
                List.of("gpt-4o*", "claude-*"),
                50_000_000L,
                BudgetPeriod.MONTHLY,
                600,
                200_000,
                T0 + 86_400_000L,
                true);

        var created = keys(backend).insert("vk_a1", "sk-sb-abcd", hash(1), settings);

        assertThat(created).isEqualTo(new VirtualKeyRecord("vk_a1", "sk-sb-abcd", hash(1), settings, T0, T0, null));
        assertThat(keys(backend).find("vk_a1")).contains(created);
        assertThat(keys(backend).findByHash(hash(1))).contains(created);
        assertThat(keys(backend).find("vk_none")).isEmpty();
        assertThat(keys(backend).findByHash(hash(2))).isEmpty();
        assertThat(created.settings().tags()).containsExactly(Map.entry("owner", "bob"), Map.entry("team", "a"));
    }

    @ParameterizedTest
    @EnumSource(DatabaseBackend.class)
    void nullsStayNullAndAllowedModelsMayBeEmpty(DatabaseBackend backend) {
        var created = keys(backend).insert("vk_bare", "sk-sb-bare", hash(1), settings("bare"));

        var found = keys(backend).find("vk_bare").orElseThrow();
        assertThat(found).isEqualTo(created);
        assertThat(found.settings().budgetMicros()).isNull();
        assertThat(found.settings().rpm()).isNull();
        assertThat(found.settings().models()).isEmpty();
        assertThat(found.usableAt(T0)).isTrue();
    }

    @ParameterizedTest
    @EnumSource(DatabaseBackend.class)
    void listShowsRevokedKeysOnlyWhenAsked(DatabaseBackend backend) {
        var dao = keys(backend);
        dao.insert("vk_1", "sk-sb-1", hash(1), settings("one"));
        now.incrementAndGet();
        dao.insert("vk_2", "sk-sb-2", hash(2), settings("two"));
        dao.revoke("vk_1");

        assertThat(dao.list(false)).extracting(VirtualKeyRecord::id).containsExactly("vk_2");
        assertThat(dao.list(true)).extracting(VirtualKeyRecord::id).containsExactly("vk_1", "vk_2");
    }

    @ParameterizedTest
    @EnumSource(DatabaseBackend.class)
    void updateReplacesTheSettingsAndBumpsUpdatedAt(DatabaseBackend backend) {
        var dao = keys(backend);
        dao.insert("vk_u", "sk-sb-u", hash(1), settings("before"));
        var changed = new KeySettings(
                "after",
                Map.of("team", "b"),
                List.of("gpt-*"),
                1_000_000L,
                BudgetPeriod.DAILY,
                10,
                1000,
                T0 + 1000,
                false);
        now.addAndGet(5);

        var updated = dao.update("vk_u", changed).orElseThrow();

        assertThat(updated.settings()).isEqualTo(changed);
        assertThat(updated.createdAt()).isEqualTo(T0);
        assertThat(updated.updatedAt()).isEqualTo(T0 + 5);
        assertThat(updated.keyHash()).isEqualTo(hash(1));
        assertThat(dao.find("vk_u")).contains(updated);
        assertThat(dao.update("vk_none", changed)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(DatabaseBackend.class)
    void revokeDisablesForGoodAndKeepsTheFirstRevocationTime(DatabaseBackend backend) {
        var dao = keys(backend);
        dao.insert("vk_r", "sk-sb-r", hash(1), settings("r"));
        now.addAndGet(10);

        var revoked = dao.revoke("vk_r").orElseThrow();
        now.addAndGet(10);
        var again = dao.revoke("vk_r").orElseThrow();

        assertThat(revoked.revokedAt()).isEqualTo(T0 + 10);
        assertThat(revoked.settings().enabled()).isFalse();
        assertThat(revoked.usableAt(T0 + 10)).isFalse();
        assertThat(again).as("unchanged").isEqualTo(revoked);
        assertThat(dao.update("vk_r", settings("revived")))
                .as("a revoked key stays revoked")
                .isEmpty();
        assertThat(dao.rotate("vk_r", "sk-sb-new", hash(2))).isEmpty();
        assertThat(dao.find("vk_r")).contains(revoked);
        assertThat(dao.revoke("vk_none")).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(DatabaseBackend.class)
    void rotateReplacesTheSecretAndKeepsTheId(DatabaseBackend backend) {
        var dao = keys(backend);
        var created = dao.insert("vk_rot", "sk-sb-old1", hash(1), settings("rot"));
        now.addAndGet(1);

        var rotated = dao.rotate("vk_rot", "sk-sb-new1", hash(2)).orElseThrow();

        assertThat(rotated.id()).isEqualTo("vk_rot");
        assertThat(rotated.keyPrefix()).isEqualTo("sk-sb-new1");
        assertThat(rotated.settings()).isEqualTo(created.settings());
        assertThat(rotated.updatedAt()).isGreaterThan(created.updatedAt());
        assertThat(dao.findByHash(hash(1)))
                .as("the old secret no longer matches")
                .isEmpty();
        assertThat(dao.findByHash(hash(2))).contains(rotated);
        assertThatThrownBy(() -> dao.rotate("vk_rot", "sk-sb-bad", "not-a-hash"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(dao.find("vk_rot")).contains(rotated);
    }

    @ParameterizedTest
    @EnumSource(DatabaseBackend.class)
    void aHashIsNeverStoredTwice(DatabaseBackend backend) {
        var dao = keys(backend);
        dao.insert("vk_first", "sk-sb-1", hash(7), settings("first"));

        assertThatThrownBy(() -> dao.insert("vk_second", "sk-sb-2", hash(7), settings("second")))
                .isInstanceOf(UnableToExecuteStatementException.class);
        assertThatThrownBy(() -> dao.insert("vk_first", "sk-sb-3", hash(8), settings("third")))
                .isInstanceOf(UnableToExecuteStatementException.class);
        assertThat(dao.list(true)).extracting(VirtualKeyRecord::id).containsExactly("vk_first");
    }

    @ParameterizedTest
    @EnumSource(DatabaseBackend.class)
    void textThatLooksLikeSqlIsStoredAsText(DatabaseBackend backend) {
        var dao = keys(backend);
        String name = "x'); DROP TABLE virtual_keys; --";
        var hostile = new KeySettings(
                name,
                Map.of("owner", "' OR '1'='1", "team", "\"quoted\" \\ back"),
                List.of("*'; DELETE FROM usage_ledger; --", "模型-*"),
                null,
                null,
                null,
                null,
                null,
                true);

        dao.insert("vk_sql", "sk-sb-sql", hash(1), hostile);

        assertThat(dao.find("vk_sql").orElseThrow().settings()).isEqualTo(hostile);
        assertThat(dao.list(true)).hasSize(1);
    }

    @Test
    void outOfBoundsSettingsAreRefusedBeforeAnythingIsWritten() {
        assertThatThrownBy(() -> settings("n".repeat(100_000))).hasMessageContaining("name is longer than 200");
        assertThatThrownBy(() -> settings(" ")).hasMessageContaining("name must not be empty");
        assertThatThrownBy(() -> settings("tab\there")).hasMessageContaining("control characters");
        assertThatThrownBy(() ->
                        new KeySettings("k", Map.of(), List.of(), -1L, BudgetPeriod.DAILY, null, null, null, true))
                .hasMessageContaining("budget must be between 0");
        assertThatThrownBy(() -> new KeySettings(
                        "k", Map.of(), List.of(), Long.MAX_VALUE, BudgetPeriod.DAILY, null, null, null, true))
                .hasMessageContaining("budget must be between 0");
        assertThatThrownBy(() -> new KeySettings("k", Map.of(), List.of(), 5L, null, null, null, null, true))
                .hasMessageContaining("period");
        assertThatThrownBy(() -> new KeySettings("k", Map.of(), List.of(), null, null, 0, null, null, true))
                .hasMessageContaining("rpm and tpm must be positive");
        assertThatThrownBy(() -> new VirtualKeyRecord("vk x", "p", hash(1), settings("k"), 0, 0, null))
                .hasMessageContaining("a key id");
        assertThatThrownBy(() -> new VirtualKeyRecord("vk_x", "p", "AB".repeat(32), settings("k"), 0, 0, null))
                .hasMessageContaining("64 lower-case hex");
        assertThatThrownBy(() -> keys(DatabaseBackend.SQLITE).insert("vk_x", "p", "abc", settings("k")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(keys(DatabaseBackend.SQLITE).list(true)).isEmpty();
    }

    @Test
    void toStringShowsOnlyTheStartOfTheHash() {
        var key = new VirtualKeyRecord("vk_s", "sk-sb-abcd", "0123456789abcdef".repeat(4), settings("s"), 0, 0, null);

        assertThat(key.toString()).contains("keyHash=01234567…").doesNotContain("0123456789abcdef");
    }

    @ParameterizedTest
    @EnumSource(DatabaseBackend.class)
    void changesWithinOneMillisecondStillGetNewVersions(DatabaseBackend backend) {
        var dao = keys(backend);
        var created = dao.insert("vk_ms", "sk-sb-ms", hash(1), settings("v0"));
        var first = dao.update("vk_ms", settings("v1")).orElseThrow();
        var second = dao.update("vk_ms", settings("v2")).orElseThrow();
        now.addAndGet(-1_000); // a clock that stepped back
        var third = dao.rotate("vk_ms", "sk-sb-ms2", hash(2)).orElseThrow();

        assertThat(List.of(created.updatedAt(), first.updatedAt(), second.updatedAt(), third.updatedAt()))
                .containsExactly(T0, T0 + 1, T0 + 2, T0 + 3);
        assertThat(dao.changedSince(T0 + 3)).containsExactly(third);
        assertThat(dao.changedSince(T0 + 4)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(DatabaseBackend.class)
    void theCursorPassesOnEveryChangeOnce(DatabaseBackend backend) {
        var dao = keys(backend);
        var cursor = new KeyChangeCursor(Duration.ofSeconds(5));
        dao.insert("vk_1", "sk-sb-1", hash(1), settings("one"));
        dao.insert("vk_2", "sk-sb-2", hash(2), settings("two"));

        assertThat(cursor.poll(dao))
                .as("the first poll loads every key")
                .extracting(VirtualKeyRecord::id)
                .containsExactly("vk_1", "vk_2");
        assertThat(cursor.poll(dao)).as("nothing changed").isEmpty();

        dao.update("vk_1", settings("one, renamed"));
        dao.revoke("vk_2");
        assertThat(cursor.poll(dao))
                .extracting(key -> key.settings().name() + (key.revoked() ? " (revoked)" : ""))
                .containsExactly("one, renamed", "two (revoked)");
        assertThat(cursor.poll(dao)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(DatabaseBackend.class)
    void theCursorSeesAChangeStampedBeforeTheNewestItHasSeen(DatabaseBackend backend) {
        var dao = keys(backend);
        var cursor = new KeyChangeCursor(Duration.ofSeconds(5));
        dao.insert("vk_late", "sk-sb-late", hash(1), settings("late"));
        now.addAndGet(3_000);
        dao.insert("vk_new", "sk-sb-new", hash(2), settings("new"));
        cursor.poll(dao);

        // Another instance, its clock 2 s behind (or a transaction that took 2 s to commit).
        var behind = new KeyDao(databases.get(backend).jdbi(), () -> now.get() - 2_000);
        behind.update("vk_late", settings("late, changed"));

        assertThat(cursor.poll(dao)).extracting(key -> key.settings().name()).containsExactly("late, changed");
    }

    @ParameterizedTest
    @EnumSource(DatabaseBackend.class)
    void concurrentChangesInOneMillisecondAreAllPassedOn(DatabaseBackend backend) throws Exception {
        var dao = keys(backend);
        var cursor = new KeyChangeCursor(Duration.ofSeconds(5));
        int keys = 8;
        int updatesEach = 15;
        for (int k = 0; k < keys; k++) {
            dao.insert("vk_c" + k, "sk-sb-c" + k, hash(k + 1), settings("c" + k + " v0"));
        }
        var latest = new java.util.HashMap<String, String>();
        cursor.poll(dao).forEach(key -> latest.put(key.id(), key.settings().name()));

        var pool = Executors.newFixedThreadPool(4);
        try {
            var writers = new ArrayList<Future<?>>();
            for (int k = 0; k < keys; k++) {
                int key = k;
                writers.add(pool.submit(() -> {
                    for (int v = 1; v <= updatesEach; v++) {
                        dao.update("vk_c" + key, settings("c" + key + " v" + v)).orElseThrow();
                    }
                }));
            }
            while (writers.stream().anyMatch(writer -> !writer.isDone())) {
                cursor.poll(dao)
                        .forEach(key -> latest.put(key.id(), key.settings().name()));
            }
            for (Future<?> writer : writers) {
                writer.get();
            }
        } finally {
            pool.shutdown();
        }
        cursor.poll(dao).forEach(key -> latest.put(key.id(), key.settings().name()));

        for (int k = 0; k < keys; k++) {
            assertThat(latest).containsEntry("vk_c" + k, "c" + k + " v" + updatesEach);
        }
        assertThat(cursor.poll(dao)).isEmpty();
    }
}
