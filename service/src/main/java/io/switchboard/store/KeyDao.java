package io.switchboard.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.SqlStatement;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The {@code virtual_keys} table. Every value goes in as a bound parameter; the records' own
 * checks ({@link KeySettings}, {@link VirtualKeyRecord}) keep anything out of bounds from being
 * written at all.
 *
 * <p>Every change bumps {@code updated_at}, strictly: to now, or to one more than it was when the
 * clock has not moved on (two changes in one millisecond, or a clock that stepped back). A poller
 * that remembers which version of each key it has seen therefore never mistakes a change for one
 * it already has; {@link KeyChangeCursor} is that poller's memory.
 */
public final class KeyDao {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, String>> TAGS = new TypeReference<>() {};
    private static final TypeReference<List<String>> MODELS = new TypeReference<>() {};

    private static final String COLUMNS = "id, name, key_prefix, key_hash, tags, models, budget_micros, budget_period,"
            + " rpm, tpm, expires_at, enabled, created_at, updated_at, revoked_at";
    private static final String SELECT = "SELECT " + COLUMNS + " FROM virtual_keys";
    /** Strictly later than before, even within one millisecond. */
    private static final String BUMP = "updated_at = CASE WHEN updated_at < :now THEN :now ELSE updated_at + 1 END";

    private final Jdbi jdbi;
    private final LongSupplier clock;

    /** @param clock epoch milliseconds, for created_at, updated_at and revoked_at */
    public KeyDao(Jdbi jdbi, LongSupplier clock) {
        this.jdbi = jdbi;
        this.clock = clock;
    }

    /**
     * Stores a new key, enabled or not as its settings say.
     *
     * @throws org.jdbi.v3.core.statement.UnableToExecuteStatementException when the id or the hash is taken
     */
    public VirtualKeyRecord insert(String id, String keyPrefix, String keyHash, KeySettings settings) {
        long now = clock.getAsLong();
        var key = new VirtualKeyRecord(id, keyPrefix, keyHash, settings, now, now, null);
        jdbi.useHandle(handle -> bindSettings(
                        handle.createUpdate("INSERT INTO virtual_keys (" + COLUMNS + ") VALUES"
                                + " (:id, :name, :keyPrefix, :keyHash, :tags, :models, :budgetMicros, :budgetPeriod, :rpm, :tpm,"
                                + " :expiresAt, :enabled, :now, :now, NULL)"),
                        settings)
                .bind("id", key.id())
                .bind("keyPrefix", key.keyPrefix())
                .bind("keyHash", key.keyHash())
                .bind("now", now)
                .execute());
        return key;
    }

    public Optional<VirtualKeyRecord> find(String id) {
        return jdbi.withHandle(handle -> find(handle, id));
    }

    /** The key whose secret hashes to {@code keyHash}, revoked or not (the caller decides what a revoked key gets). */
    public Optional<VirtualKeyRecord> findByHash(String keyHash) {
        return jdbi.withHandle(handle -> handle.createQuery(SELECT + " WHERE key_hash = :hash")
                .bind("hash", keyHash)
                .map((rs, ctx) -> map(rs))
                .findOne());
    }

    /** Every key, oldest first; revoked ones only when asked for. */
    public List<VirtualKeyRecord> list(boolean includeRevoked) {
        return jdbi.withHandle(handle -> handle.createQuery(
                        SELECT + (includeRevoked ? "" : " WHERE revoked_at IS NULL") + " ORDER BY created_at, id")
                .map((rs, ctx) -> map(rs))
                .list());
    }

    /**
     * Replaces what an operator may change (name, tags, models, budget and period, rpm, tpm,
     * expiry, enabled). Empty when there is no such key, or it is revoked: a revoked key stays so.
     */
    public Optional<VirtualKeyRecord> update(String id, KeySettings settings) {
        return jdbi.inTransaction(handle -> {
            int changed = bindSettings(
                            handle.createUpdate("UPDATE virtual_keys SET name = :name, tags = :tags,"
                                    + " models = :models, budget_micros = :budgetMicros, budget_period = :budgetPeriod, rpm = :rpm,"
                                    + " tpm = :tpm, expires_at = :expiresAt, enabled = :enabled, " + BUMP
                                    + " WHERE id = :id AND revoked_at IS NULL"),
                            settings)
                    .bind("id", id)
                    .bind("now", clock.getAsLong())
                    .execute();
            return changed == 1 ? find(handle, id) : Optional.empty();
        });
    }

    /**
     * Revokes for good: disabled, with the time it happened. Empty when there is no such key; a
     * key already revoked is returned as it was (its revocation time is kept).
     */
    public Optional<VirtualKeyRecord> revoke(String id) {
        return jdbi.inTransaction(handle -> {
            handle.createUpdate("UPDATE virtual_keys SET enabled = :enabled, revoked_at = :now, " + BUMP
                            + " WHERE id = :id AND revoked_at IS NULL")
                    .bind("enabled", false)
                    .bind("id", id)
                    .bind("now", clock.getAsLong())
                    .execute();
            return find(handle, id);
        });
    }

    /**
     * Gives the key a new secret: its hash and prefix are replaced, its id (and so its spend,
     * limits and history) kept. The old secret stops working with the change. Empty when there
     * is no such key, or it is revoked.
     */
    public Optional<VirtualKeyRecord> rotate(String id, String keyPrefix, String keyHash) {
        return jdbi.inTransaction(handle -> {
            var current = find(handle, id);
            if (current.isEmpty() || current.get().revoked()) {
                return Optional.<VirtualKeyRecord>empty();
            }
            // The record checks the new prefix and hash before anything is written.
            var rotated = new VirtualKeyRecord(
                    id,
                    keyPrefix,
                    keyHash,
                    current.get().settings(),
                    current.get().createdAt(),
                    current.get().updatedAt(),
                    null);
            handle.createUpdate("UPDATE virtual_keys SET key_prefix = :keyPrefix, key_hash = :keyHash, " + BUMP
                            + " WHERE id = :id AND revoked_at IS NULL")
                    .bind("keyPrefix", rotated.keyPrefix())
                    .bind("keyHash", rotated.keyHash())
                    .bind("id", id)
                    .bind("now", clock.getAsLong())
                    .execute();
            return find(handle, id);
        });
    }

    /**
     * Keys whose {@code updated_at} is at or after {@code sinceMillis}, in that order: what a
     * poller reads to pass changes on to a running gateway. Inclusive, and meant to be called
     * with an overlap (see {@link KeyChangeCursor}): a change is stamped when it is made but seen
     * only when it commits, so a change stamped a moment before the newest one seen may still
     * arrive; so may one from another instance whose clock is a little behind.
     */
    public List<VirtualKeyRecord> changedSince(long sinceMillis) {
        return jdbi.withHandle(
                handle -> handle.createQuery(SELECT + " WHERE updated_at >= :since" + " ORDER BY updated_at, id")
                        .bind("since", sinceMillis)
                        .map((rs, ctx) -> map(rs))
                        .list());
    }

    private static Optional<VirtualKeyRecord> find(Handle handle, String id) {
        return handle.createQuery(SELECT + " WHERE id = :id")
                .bind("id", id)
                .map((rs, ctx) -> map(rs))
                .findOne();
    }

    private static <S extends SqlStatement<S>> S bindSettings(S statement, KeySettings settings) {
        return statement
                .bind("name", settings.name())
                .bind("tags", json(settings.tags()))
                .bind("models", json(settings.models()))
                .bind("budgetMicros", settings.budgetMicros())
                .bind(
                        "budgetPeriod",
                        settings.budgetPeriod() == null
                                ? null
                                : settings.budgetPeriod().dbValue())
                .bind("rpm", settings.rpm())
                .bind("tpm", settings.tpm())
                .bind("expiresAt", settings.expiresAt())
                .bind("enabled", settings.enabled());
    }

    private static VirtualKeyRecord map(ResultSet rs) throws SQLException {
        String id = rs.getString("id");
        String period = rs.getString("budget_period");
        var settings = new KeySettings(
                rs.getString("name"),
                parse(id, rs.getString("tags"), TAGS),
                parse(id, rs.getString("models"), MODELS),
                nullableLong(rs, "budget_micros"),
                period == null ? null : BudgetPeriod.of(period),
                nullableInt(rs, "rpm"),
                nullableInt(rs, "tpm"),
                nullableLong(rs, "expires_at"),
                rs.getBoolean("enabled"));
        return new VirtualKeyRecord(
                id,
                rs.getString("key_prefix"),
                rs.getString("key_hash"),
                settings,
                rs.getLong("created_at"),
                rs.getLong("updated_at"),
                nullableLong(rs, "revoked_at"));
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    private static <T> T parse(String id, String json, TypeReference<T> type) {
        try {
            return JSON.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("virtual_keys row " + id + " holds malformed JSON", e);
        }
    }

    static Long nullableLong(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : value;
    }

    private static Integer nullableInt(ResultSet rs, String column) throws SQLException {
        int value = rs.getInt(column);
        return rs.wasNull() ? null : value;
    }
}
