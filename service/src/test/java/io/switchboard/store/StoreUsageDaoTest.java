package io.switchboard.store;

import io.switchboard.testing.TestDatabases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The usage ledger on both backends: batches written whole, unknown values kept unknown, spend
 * per key for budgets, and reports by key, model, provider and UTC day over a half-open range.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StoreUsageDaoTest {

    static final long DAY = 86_400_000L;
    static final long JAN_1 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z

    private TestDatabases databases;

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
    }

    private UsageDao usage(DatabaseBackend backend) {
        return databases.get(backend).usage();
    }

    static UsageRow row(
            String requestId, long ts, String key, String provider, String model, Long cost, TokenCounts tokens) {
        return new UsageRow(
                requestId,
                ts,
                key,
                "chat.completions",
                provider,
                model,
                model,
                false,
                200,
                null,
                1,
                tokens,
                cost,
                120,
                null);
    }

    static UsageRow row(long ts, String key, String provider, String model, Long cost) {
        return row("req-" + ts + "-" + key, ts, key, provider, model, cost, new TokenCounts(10L, 5L, 2L, 1L, 0L));
    }

    private long count(DatabaseBackend backend, String where) {
        return databases
                .get(backend)
                .jdbi()
                .withHandle(handle -> handle.createQuery("SELECT COUNT(*) FROM usage_ledger WHERE " + where)
                        .mapTo(Long.class)
                        .one());
    }

    @ParameterizedTest
    @EnumSource(DatabaseBackend.class)
    void aBatchIsWrittenWholeAndUnknownsStayNull(DatabaseBackend backend) {
        var rows = new ArrayList<UsageRow>();
        for (int i = 0; i < 1_000; i++) {
            rows.add(row(JAN_1 + i, "vk_a", "openai", "gpt-4o", (long) i));
        }
        rows.add(new UsageRow(
                "req-unknown",
                JAN_1,
                null,
                "embeddings",
                null,
                "nope",
                null,
                true,
                502,
                "upstream_5xx",
                3,
                TokenCounts.UNKNOWN,
                null,
                40,
                7L));

        usage(backend).insertAll(rows);

        assertThat(count(backend, "1 = 1")).isEqualTo(1_001);
        assertThat(count(
                        backend,
                        "request_id = 'req-unknown' AND key_id IS NULL AND provider IS NULL"
                                + " AND model_served IS NULL AND prompt_tokens IS NULL AND completion_tokens IS NULL"
                                + " AND cached_read_tokens IS NULL AND cache_write_tokens IS NULL AND reasoning_tokens IS NULL"
                                + " AND cost_micros IS NULL AND streamed = TRUE AND status = 502 AND attempts = 3 AND ttft_ms = 7"
                                + " AND error_kind = 'upstream_5xx'"))
                .isEqualTo(1);
        assertThat(count(backend, "cost_micros = 0"))
                .as("a zero cost is a known zero")
                .isEqualTo(1);
        usage(backend).insertAll(List.of());
        assertThat(count(backend, "1 = 1")).isEqualTo(1_001);
    }

    @ParameterizedTest
    @EnumSource(DatabaseBackend.class)
    void clientTextIsMadeSafeToStore(DatabaseBackend backend) {
        String model = "evil\0model'); DROP TABLE usage_ledger; --" + "x".repeat(10_000);

        usage(backend).insertAll(List.of(row("req\0nul", JAN_1, "vk_a", "openai", model, 1L, TokenCounts.UNKNOWN)));

        String stored = databases
                .get(backend)
                .jdbi()
                .withHandle(handle -> handle.createQuery("SELECT model_requested FROM usage_ledger")
                        .mapTo(String.class)
                        .one());
        assertThat(stored).hasSize(UsageRow.MAX_TEXT_LENGTH).startsWith("evil\uFFFDmodel'); DROP TABLE");
        assertThat(count(backend, "request_id = 'req\uFFFDnul'")).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(DatabaseBackend.class)
    void spendPerKeySinceATimeCountsOnlyKnownCosts(DatabaseBackend backend) {
        usage(backend)
                .insertAll(List.of(
                        row(JAN_1 - 1, "vk_a", "openai", "gpt-4o", 1_000_000L),
                        row(JAN_1, "vk_a", "openai", "gpt-4o", 250_000L),
                        row(JAN_1 + 5, "vk_a", "anthropic", "claude", 125L),
                        row(JAN_1 + 6, "vk_a", "local", "llama", null),
                        row(JAN_1 + 7, "vk_b", "local", "llama", null),
                        row(JAN_1 + 8, "vk_c", "openai", "gpt-4o", 3L),
                        row(JAN_1 + 9, null, "openai", "gpt-4o", 99L)));

        assertThat(usage(backend).spendSince(JAN_1))
                .containsExactly(Map.entry("vk_a", 250_125L), Map.entry("vk_b", 0L), Map.entry("vk_c", 3L));
        assertThat(usage(backend).spendSince("vk_a", JAN_1)).isEqualTo(250_125L);
        assertThat(usage(backend).spendSince("vk_a", JAN_1 - 1)).isEqualTo(1_250_125L);
        assertThat(usage(backend).spendSince("vk_none", 0)).isZero();
    }

    @ParameterizedTest
    @EnumSource(DatabaseBackend.class)
    void reportsGroupByKeyModelProviderAndUtcDay(DatabaseBackend backend) {
        usage(backend)
                .insertAll(List.of(
                        row(JAN_1 - 1, "vk_a", "openai", "gpt-4o", 1L), // Dec 31, before the range
                        row(JAN_1, "vk_a", "openai", "gpt-4o", 100L), // Jan 1, 00:00:00.000
                        row(JAN_1 + DAY - 1, "vk_b", "anthropic", "claude", 200L), // Jan 1, 23:59:59.999
                        row(JAN_1 + DAY, "vk_a", "openai", "gpt-4o-mini", null), // Jan 2
                        row(JAN_1 + DAY + 1, null, null, null, null), // Jan 2, no key, no provider
                        row(JAN_1 + 2 * DAY, "vk_a", "openai", "gpt-4o", 1_000L))); // Jan 3, at the end: excluded
        var usage = usage(backend);
        long from = JAN_1;
        long to = JAN_1 + 2 * DAY;

        assertThat(usage.report(UsageGrouping.DAY, from, to))
                .containsExactly(
                        new UsageTotals("2026-01-01", 2, new TokenCounts(20L, 10L, 4L, 2L, 0L), 300, 0),
                        new UsageTotals("2026-01-02", 2, new TokenCounts(20L, 10L, 4L, 2L, 0L), 0, 2));
        assertThat(usage.report(UsageGrouping.KEY, from, to))
                .extracting(
                        UsageTotals::group,
                        UsageTotals::requests,
                        UsageTotals::costMicros,
                        UsageTotals::unknownCostRequests)
                .containsExactly(tuple("vk_a", 2L, 100L, 1L), tuple("vk_b", 1L, 200L, 0L), tuple(null, 1L, 0L, 1L));
        assertThat(usage.report(UsageGrouping.MODEL, from, to))
                .extracting(UsageTotals::group, UsageTotals::requests)
                .containsExactly(tuple("claude", 1L), tuple("gpt-4o", 1L), tuple("gpt-4o-mini", 1L), tuple(null, 1L));
        assertThat(usage.report(UsageGrouping.PROVIDER, from, to))
                .extracting(UsageTotals::group, UsageTotals::costMicros)
                .containsExactly(tuple("anthropic", 200L), tuple("openai", 100L), tuple(null, 0L));
        assertThat(usage.report(UsageGrouping.MODEL, from, to, "vk_a"))
                .extracting(UsageTotals::group)
                .containsExactly("gpt-4o", "gpt-4o-mini");
        assertThat(usage.report(UsageGrouping.KEY, to, to + DAY, "vk_b")).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(DatabaseBackend.class)
    void tokenSumsCountUnreportedTokensAsNothing(DatabaseBackend backend) {
        usage(backend)
                .insertAll(List.of(
                        row(
                                "r1",
                                JAN_1,
                                "vk_a",
                                "openai",
                                "gpt-4o",
                                10L,
                                new TokenCounts(1_000_000_000_000L, 2L, null, null, 7L)),
                        row("r2", JAN_1, "vk_a", "openai", "gpt-4o", 10L, new TokenCounts(3L, null, 4L, null, null))));

        assertThat(usage(backend).report(UsageGrouping.KEY, JAN_1, JAN_1 + 1))
                .containsExactly(
                        new UsageTotals("vk_a", 2, new TokenCounts(1_000_000_000_003L, 2L, 4L, 0L, 7L), 20, 0));
    }

    @Test
    void aRowWithNegativeCountsIsRefusedBeforeTheDatabase() {
        assertThatThrownBy(() -> new TokenCounts(-1L, null, null, null, null)).hasMessageContaining("negative");
        assertThatThrownBy(() -> row(JAN_1, "vk", "p", "m", -5L)).hasMessageContaining("negative");
        assertThatThrownBy(() -> new UsageRow(
                        null, 0, null, "chat.completions", null, null, null, false, 200, null, 0, null, null, 0, null))
                .isInstanceOf(NullPointerException.class);
    }

    private static org.assertj.core.groups.Tuple tuple(Object... values) {
        return org.assertj.core.groups.Tuple.tuple(values);
    }
}
