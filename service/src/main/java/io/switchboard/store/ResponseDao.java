package io.switchboard.store;

import org.jdbi.v3.core.Jdbi;

import java.util.Optional;

/**
 * The {@code stored_responses} table: the Responses API's stored responses, the same SQL on
 * SQLite and PostgreSQL. Saving an id again replaces the row (a native upstream's id could in
 * principle repeat; the latest wins).
 */
public final class ResponseDao {

    private final Jdbi jdbi;

    public ResponseDao(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public void save(StoredResponse response) {
        jdbi.useTransaction(handle -> {
            handle.createUpdate("DELETE FROM stored_responses WHERE id = :id")
                    .bind("id", response.id())
                    .execute();
            handle.createUpdate("INSERT INTO stored_responses (id, key_id, previous_response_id, created_at,"
                            + " response, input_items) VALUES (:id, :keyId, :previous, :createdAt, :response,"
                            + " :inputItems)")
                    .bind("id", response.id())
                    .bind("keyId", response.keyId())
                    .bind("previous", response.previousResponseId())
                    .bind("createdAt", response.createdAt())
                    .bind("response", response.response())
                    .bind("inputItems", response.inputItems())
                    .execute();
        });
    }

    public Optional<StoredResponse> find(String id) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT id, key_id, previous_response_id, created_at,"
                        + " response, input_items FROM stored_responses WHERE id = :id")
                .bind("id", id)
                .map((rs, ctx) -> new StoredResponse(
                        rs.getString("id"),
                        rs.getString("key_id"),
                        rs.getString("previous_response_id"),
                        rs.getLong("created_at"),
                        rs.getString("response"),
                        rs.getString("input_items")))
                .findOne());
    }

    /** Deletes one response; whether there was one. */
    public boolean delete(String id) {
        return jdbi.withHandle(handle -> handle.createUpdate("DELETE FROM stored_responses WHERE id = :id")
                        .bind("id", id)
                        .execute())
                > 0;
    }

    /** Deletes every response created before {@code beforeMillis}; how many. */
    public int purgeBefore(long beforeMillis) {
        return jdbi.withHandle(handle -> handle.createUpdate("DELETE FROM stored_responses WHERE created_at < :before")
                .bind("before", beforeMillis)
                .execute());
    }
}
