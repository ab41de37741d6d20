package io.switchboard.provider;

import java.util.ArrayList;
import java.util.List;

/**
 * The stream items an upstream delivered together: everything parsed out of one network read.
 *
 * <p>A transport runs the delivery of one read inside {@link #deliver}; a consumer that writes to
 * a client may {@linkplain #defer defer} its write to the end of that delivery, so that items
 * which arrived together leave in one write and one flush instead of one each. Nothing waits
 * past the read that brought it: the deferred writes run on the same thread, right after the
 * last item of the read has been handled. Outside a delivery (a provider that does not read a
 * network stream, a timer thread) a deferred write runs at once.
 */
public final class Burst {

    private static final ThreadLocal<Burst> CURRENT = new ThreadLocal<>();

    private final List<Runnable> atEnd = new ArrayList<>(2);

    private Burst() {}

    /**
     * Runs {@code delivery}, then every write deferred during it, in the order they were
     * deferred. An exception from a deferred write propagates (the client left), as it would
     * have from the item's own handling; the remaining writes are then dropped. Nested calls
     * join the outer delivery.
     */
    public static void deliver(Runnable delivery) {
        if (CURRENT.get() != null) {
            delivery.run();
            return;
        }
        var burst = new Burst();
        CURRENT.set(burst);
        try {
            delivery.run();
        } finally {
            CURRENT.remove();
        }
        for (int i = 0; i < burst.atEnd.size(); i++) {
            burst.atEnd.get(i).run();
        }
    }

    /**
     * Runs {@code write} when the current delivery ends. The caller defers once per delivery and
     * remembers that it did; without an active delivery the write runs at once.
     */
    public static void defer(Runnable write) {
        Burst burst = CURRENT.get();
        if (burst == null) {
            write.run();
        } else {
            burst.atEnd.add(write);
        }
    }
}
