package io.switchboard.responses;

import io.switchboard.store.ResponseDao;
import io.switchboard.store.StoredResponse;

import java.util.Optional;

/** Where stored responses live: the database when there is one, else a bounded map in memory. */
public interface ResponseStore {

    void save(StoredResponse response);

    Optional<StoredResponse> find(String id);

    boolean delete(String id);

    /** Deletes what was created before {@code beforeMillis}; how many. */
    int purgeBefore(long beforeMillis);

    /** The database's {@code stored_responses} table. */
    static ResponseStore of(ResponseDao dao) {
        return new ResponseStore() {
            @Override
            public void save(StoredResponse response) {
                dao.save(response);
            }

            @Override
            public Optional<StoredResponse> find(String id) {
                return dao.find(id);
            }

            @Override
            public boolean delete(String id) {
                return dao.delete(id);
            }

            @Override
            public int purgeBefore(long beforeMillis) {
                return dao.purgeBefore(beforeMillis);
            }
        };
    }
}
