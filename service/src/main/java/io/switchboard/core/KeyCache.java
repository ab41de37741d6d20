package io.switchboard.core;

import io.switchboard.auth.ApiKeyPrincipal;
import io.switchboard.auth.KeyDirectory;
import io.switchboard.store.KeyChangeCursor;
import io.switchboard.store.KeyDao;
import io.switchboard.store.VirtualKeyRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The virtual keys as the request path reads them: an immutable map by id and by hash, replaced
 * whole when the database says a key changed. A poll every {@code period} (250 ms by default)
 * asks only for keys changed since the last one, so a key created, updated or revoked anywhere
 * (the CLI, the admin API, another instance on the same database) counts here within a second,
 * without a restart. The request path never waits on the database.
 */
final class KeyCache implements KeyDirectory {

    private static final Logger LOG = LoggerFactory.getLogger(KeyCache.class);

    private final KeyDao keys;
    /** How often every key is read again, whatever the cursor says: a safety net under the polls. */
    static final Duration FULL_RESYNC = Duration.ofSeconds(30);

    private KeyChangeCursor cursor = new KeyChangeCursor(KeyChangeCursor.DEFAULT_OVERLAP);
    private final LongSupplier clock;
    private volatile Snapshot snapshot = new Snapshot(Map.of(), Map.of());
    private ScheduledFuture<?> poller;
    private ScheduledFuture<?> resyncer;
    private volatile boolean failing;

    KeyCache(KeyDao keys, LongSupplier clock) {
        this.keys = keys;
        this.clock = clock;
    }

    /** Loads every key, then polls for changes. */
    void start(ScheduledExecutorService scheduler, Duration period) {
        refresh();
        poller = scheduler.scheduleWithFixedDelay(
                this::refreshQuietly, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
        resyncer = scheduler.scheduleWithFixedDelay(
                () -> quietly(this::resync), FULL_RESYNC.toMillis(), FULL_RESYNC.toMillis(), TimeUnit.MILLISECONDS);
    }

    void stop() {
        if (poller != null) {
            poller.cancel(false);
        }
        if (resyncer != null) {
            resyncer.cancel(false);
        }
    }

    /**
     * Reads every key again and replaces the map whole, with a fresh cursor: whatever a poll could
     * have missed (a change that committed later than the cursor's overlap, a row deleted by hand)
     * is right again within {@link #FULL_RESYNC}.
     */
    synchronized void resync() {
        var fresh = new KeyChangeCursor(KeyChangeCursor.DEFAULT_OVERLAP);
        var byId = new HashMap<String, VirtualKeyRecord>();
        var byHash = new HashMap<String, VirtualKeyRecord>();
        for (VirtualKeyRecord key : fresh.poll(keys)) {
            byId.put(key.id(), key);
            byHash.put(key.keyHash(), key);
        }
        cursor = fresh;
        snapshot = new Snapshot(Map.copyOf(byId), Map.copyOf(byHash));
    }

    /** Reads what changed and publishes it; synchronized so two refreshes never interleave. */
    synchronized void refresh() {
        var changed = cursor.poll(keys);
        if (changed.isEmpty()) {
            return;
        }
        var byId = new HashMap<>(snapshot.byId());
        var byHash = new HashMap<>(snapshot.byHash());
        for (VirtualKeyRecord key : changed) {
            VirtualKeyRecord before = byId.put(key.id(), key);
            if (before != null) {
                byHash.remove(before.keyHash()); // rotated: the old secret stops working
            }
            byHash.put(key.keyHash(), key);
        }
        snapshot = new Snapshot(Map.copyOf(byId), Map.copyOf(byHash));
    }

    private void refreshQuietly() {
        quietly(this::refresh);
    }

    private void quietly(Runnable read) {
        try {
            read.run();
            if (failing) {
                failing = false;
                LOG.info("Virtual keys: the database answers again");
            }
        } catch (RuntimeException e) {
            if (!failing) {
                failing = true;
                LOG.warn(
                        "Virtual keys: cannot read changes from the database; serving the keys known ({})",
                        e.toString());
            }
        }
    }

    Optional<VirtualKeyRecord> byId(String id) {
        return Optional.ofNullable(snapshot.byId().get(id));
    }

    /** Every key known, revoked ones included. */
    java.util.Collection<VirtualKeyRecord> all() {
        return snapshot.byId().values();
    }

    @Override
    public Optional<ApiKeyPrincipal> byHash(String sha256Hex) {
        VirtualKeyRecord key = snapshot.byHash().get(sha256Hex);
        return key != null && key.usableAt(clock.getAsLong())
                ? Optional.of(new ApiKeyPrincipal(key.id()))
                : Optional.empty();
    }

    @Override
    public boolean isEmpty() {
        return snapshot.byId().isEmpty();
    }

    @Override
    public OptionalInt requestsPerMinute(String keyId) {
        VirtualKeyRecord key = snapshot.byId().get(keyId);
        return key != null && key.settings().rpm() != null
                ? OptionalInt.of(key.settings().rpm())
                : OptionalInt.empty();
    }

    @Override
    public String toString() {
        return "KeyCache[" + snapshot.byId().size() + " virtual keys]";
    }

    private record Snapshot(Map<String, VirtualKeyRecord> byId, Map<String, VirtualKeyRecord> byHash) {}
}
