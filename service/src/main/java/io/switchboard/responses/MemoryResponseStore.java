package io.switchboard.responses;

import io.switchboard.store.StoredResponse;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Stored responses in memory, for a gateway without a database: at most {@code limit}, the
 * oldest forgotten first, all lost at a restart, and not shared between instances.
 */
public final class MemoryResponseStore implements ResponseStore {

    private final Map<String, StoredResponse> responses;

    public MemoryResponseStore(int limit) {
        this.responses = new LinkedHashMap<>(16, 0.75f, false) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, StoredResponse> eldest) {
                return size() > limit;
            }
        };
    }

    @Override
    public synchronized void save(StoredResponse response) {
        responses.remove(response.id());
        responses.put(response.id(), response);
    }

    @Override
    public synchronized Optional<StoredResponse> find(String id) {
        return Optional.ofNullable(responses.get(id));
    }

    @Override
    public synchronized boolean delete(String id) {
        return responses.remove(id) != null;
    }

    @Override
    public synchronized int purgeBefore(long beforeMillis) {
        int before = responses.size();
        responses.values().removeIf(response -> response.createdAt() < beforeMillis);
        return before - responses.size();
    }
}
