package io.switchboard.store;

import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code usage_ledger} table: written in batches by the ledger writer, read for budgets
 * (spend per key since a period began) and for reports. The SQL is the same on SQLite and
 * PostgreSQL.
 */
public final class UsageDao {

    private static final String INSERT = "INSERT INTO usage_ledger (request_id, ts, key_id, endpoint, provider,"
            + " model_requested, model_served, streamed, status, error_kind, attempts, prompt_tokens, completion_tokens,"
            + " cached_read_tokens, cache_write_tokens, reasoning_tokens, cost_micros, latency_ms, ttft_ms) VALUES"
            + " (:requestId, :ts, :keyId, :endpoint, :provider, :modelRequested, :modelServed, :streamed, :status,"
            + " :errorKind, :attempts, :promptTokens, :completionTokens, :cachedReadTokens, :cacheWriteTokens,"
            + " :reasoningTokens, :costMicros, :latencyMs, :ttftMs)";

    private final Jdbi jdbi;

    public UsageDao(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /**
     * Writes the rows as one JDBC batch in one transaction: all or none. On PostgreSQL the driver
     * sends it as multi-row inserts ({@code reWriteBatchedInserts}, set by {@link Database}).
     */
    public void insertAll(List<UsageRow> rows) {
        if (rows.isEmpty()) {
            return;
        }
        jdbi.useTransaction(handle -> {
            PreparedBatch batch = handle.prepareBatch(INSERT);
            for (UsageRow row : rows) {
                batch.bind("requestId", row.requestId())
                        .bind("ts", row.ts())
                        .bind("keyId", row.keyId())
                        .bind("endpoint", row.endpoint())
                        .bind("provider", row.provider())
                        .bind("modelRequested", row.modelRequested())
                        .bind("modelServed", row.modelServed())
                        .bind("streamed", row.streamed())
                        .bind("status", row.status())
                        .bind("errorKind", row.errorKind())
                        .bind("attempts", row.attempts())
                        .bind("promptTokens", row.tokens().prompt())
                        .bind("completionTokens", row.tokens().completion())
                        .bind("cachedReadTokens", row.tokens().cachedRead())
                        .bind("cacheWriteTokens", row.tokens().cacheWrite())
                        .bind("reasoningTokens", row.tokens().reasoning())
                        .bind("costMicros", row.costMicros())
                        .bind("latencyMs", row.latencyMs())
                        .bind("ttftMs", row.ttftMs())
                        .add();
            }
            batch.execute();
        });
    }

    /**
     * Known spend per key since {@code fromMillis} (inclusive), in micro-dollars: what budgets
     * start from after a restart. Keys without rows are absent; unknown costs add nothing.
     */
    public Map<String, Long> spendSince(long fromMillis) {
        return jdbi.withHandle(handle -> {
            var spend = new LinkedHashMap<String, Long>();
            handle.createQuery("SELECT key_id, COALESCE(SUM(cost_micros), 0) AS spent FROM usage_ledger"
                            + " WHERE key_id IS NOT NULL AND ts >= :from GROUP BY key_id ORDER BY key_id")
                    .bind("from", fromMillis)
                    .map((rs, ctx) -> Map.entry(rs.getString("key_id"), rs.getLong("spent")))
                    .forEach(entry -> spend.put(entry.getKey(), entry.getValue()));
            return spend;
        });
    }

    /** One key's known spend since {@code fromMillis} (inclusive), in micro-dollars; 0 without rows. */
    public long spendSince(String keyId, long fromMillis) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT COALESCE(SUM(cost_micros), 0) FROM usage_ledger"
                        + " WHERE key_id = :key AND ts >= :from")
                .bind("key", keyId)
                .bind("from", fromMillis)
                .mapTo(Long.class)
                .one());
    }

    /** Totals per group over {@code [fromMillis, toMillis)}, ordered by group (null last). */
    public List<UsageTotals> report(UsageGrouping by, long fromMillis, long toMillis) {
        return report(by, fromMillis, toMillis, null);
    }

    /** As {@link #report(UsageGrouping, long, long)}, counting only {@code keyId}'s rows when it is not null. */
    public List<UsageTotals> report(UsageGrouping by, long fromMillis, long toMillis, String keyId) {
        String group = by.expression();
        String sql = "SELECT " + group + " AS grp, COUNT(*) AS requests,"
                + " COALESCE(SUM(prompt_tokens), 0) AS prompt_tokens,"
                + " COALESCE(SUM(completion_tokens), 0) AS completion_tokens,"
                + " COALESCE(SUM(cached_read_tokens), 0) AS cached_read_tokens,"
                + " COALESCE(SUM(cache_write_tokens), 0) AS cache_write_tokens,"
                + " COALESCE(SUM(reasoning_tokens), 0) AS reasoning_tokens,"
                + " COALESCE(SUM(cost_micros), 0) AS cost_micros,"
                + " COUNT(*) - COUNT(cost_micros) AS unknown_cost"
                + " FROM usage_ledger WHERE ts >= :from AND ts < :to" + (keyId != null ? " AND key_id = :key" : "")
                + " GROUP BY " + group + " ORDER BY (" + group + ") IS NULL, " + group;
        return jdbi.withHandle(handle -> {
            var query = handle.createQuery(sql).bind("from", fromMillis).bind("to", toMillis);
            if (keyId != null) {
                query.bind("key", keyId);
            }
            return query.map((rs, ctx) -> totals(by, rs)).list();
        });
    }

    /**
     * A report grouped by two things at once, {@code first} then {@code second} (the day and the
     * key, for spend over time by key), over [{@code fromMillis}, {@code toMillis}).
     */
    public List<PairedTotals> report(
            UsageGrouping first, UsageGrouping second, long fromMillis, long toMillis, String keyId) {
        if (first == second) {
            throw new IllegalArgumentException("group by two different things");
        }
        String a = first.expression();
        String b = second.expression();
        String sql = "SELECT " + a + " AS grp1, " + b + " AS grp, COUNT(*) AS requests,"
                + " COALESCE(SUM(prompt_tokens), 0) AS prompt_tokens,"
                + " COALESCE(SUM(completion_tokens), 0) AS completion_tokens,"
                + " COALESCE(SUM(cached_read_tokens), 0) AS cached_read_tokens,"
                + " COALESCE(SUM(cache_write_tokens), 0) AS cache_write_tokens,"
                + " COALESCE(SUM(reasoning_tokens), 0) AS reasoning_tokens,"
                + " COALESCE(SUM(cost_micros), 0) AS cost_micros,"
                + " COUNT(*) - COUNT(cost_micros) AS unknown_cost"
                + " FROM usage_ledger WHERE ts >= :from AND ts < :to" + (keyId != null ? " AND key_id = :key" : "")
                + " GROUP BY " + a + ", " + b + " ORDER BY (" + a + ") IS NULL, " + a + ", (" + b + ") IS NULL, " + b;
        return jdbi.withHandle(handle -> {
            var query = handle.createQuery(sql).bind("from", fromMillis).bind("to", toMillis);
            if (keyId != null) {
                query.bind("key", keyId);
            }
            return query.map((rs, ctx) -> new PairedTotals(
                            first == UsageGrouping.DAY
                                    ? java.time.LocalDate.ofEpochDay(rs.getLong("grp1"))
                                            .toString()
                                    : rs.getString("grp1"),
                            totals(second, rs).group(),
                            totals(second, rs)))
                    .list();
        });
    }

    private static UsageTotals totals(UsageGrouping by, ResultSet rs) throws SQLException {
        String group;
        if (by == UsageGrouping.DAY) {
            group = LocalDate.ofEpochDay(rs.getLong("grp")).toString();
        } else {
            group = rs.getString("grp");
        }
        var tokens = new TokenCounts(
                rs.getLong("prompt_tokens"),
                rs.getLong("completion_tokens"),
                rs.getLong("cached_read_tokens"),
                rs.getLong("cache_write_tokens"),
                rs.getLong("reasoning_tokens"));
        return new UsageTotals(
                group, rs.getLong("requests"), tokens, rs.getLong("cost_micros"), rs.getLong("unknown_cost"));
    }
}
