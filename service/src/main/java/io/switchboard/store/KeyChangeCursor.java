package io.switchboard.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A poller's memory of the key changes it has passed on, so that polling often (every few hundred
 * milliseconds, for changes to reach a running gateway within a second) neither misses a change
 * nor repeats one.
 *
 * <p>Why not simply "everything after the newest {@code updated_at} seen": a change is stamped
 * when it is made but visible only when it commits, so a slower transaction can commit a stamp
 * older than one already read; with PostgreSQL another instance's clock may also run a little
 * behind. So each poll re-reads an overlap window before the newest stamp seen, and passes on a
 * key only when its {@code updated_at} is newer than the version already passed on ({@link KeyDao}
 * makes every change strictly increase it, even within one millisecond). A change is missed only
 * if it commits more than {@code overlap} after it was stamped, or comes from a clock more than
 * {@code overlap} behind: far beyond a one-row update and NTP-kept clocks at the default 5 s.
 *
 * <p>The first poll returns every key (revoked ones too), which is the initial load.
 */
public final class KeyChangeCursor {

    public static final Duration DEFAULT_OVERLAP = Duration.ofSeconds(5);

    private final long overlapMillis;
    private final Map<String, Long> passedOn = new HashMap<>();
    private long newest = Long.MIN_VALUE;

    public KeyChangeCursor(Duration overlap) {
        this.overlapMillis = overlap.toMillis();
    }

    /** The keys that changed since the last poll (every key on the first), oldest change first. */
    public synchronized List<VirtualKeyRecord> poll(KeyDao keys) {
        long since = newest == Long.MIN_VALUE ? Long.MIN_VALUE : newest - overlapMillis;
        var changed = new ArrayList<VirtualKeyRecord>();
        for (VirtualKeyRecord key : keys.changedSince(since)) {
            Long version = passedOn.get(key.id());
            if (version == null || version < key.updatedAt()) {
                changed.add(key);
                passedOn.put(key.id(), key.updatedAt());
            }
            newest = Math.max(newest, key.updatedAt());
        }
        // What is older than the window cannot be read again; remembering it would only grow the map.
        long floor = newest - overlapMillis;
        passedOn.values().removeIf(version -> version < floor);
        return changed;
    }
}
