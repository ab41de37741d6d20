package io.switchboard.provider;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The stream items an upstream delivered together: everything parsed out of one network read.
 *
 * <p>A transport runs the delivery of one read inside {@link #deliver}; a consumer that writes to
 * a client may {@linkplain #defer defer} its write to the end of that delivery, so that items
 * which arrived together leave in one write and one flush instead of one each. Nothing waits
 * past the read that brought it: the deferred writes run on the same thread, right after the
 * last item of the read has been handled. Outside a delivery (a provider that does not read a
 * network stream, a timer thread) a deferred write runs at once.
 *
 * <p>Two more things pass from the consumer back to the transport through a delivery:
 * <ul>
 *   <li>{@link #writesWithoutBlocking()}: the consumer's writes never block the thread (they
 *       complete at once or are left to finish in the background), so the transport may run
 *       later deliveries of the stream on its own I/O thread instead of handing each to a pool.
 *   <li>{@link #pause()}: a write could not finish at once (the client reads slower than the
 *       upstream sends); the transport reads no more of the stream until the consumer
 *       {@linkplain Resume#resume() resumes} it. This is the back-pressure a blocking write gave.
 * </ul>
 */
public final class Burst {

    private static final ThreadLocal<Burst> CURRENT = new ThreadLocal<>();

    private final List<Runnable> atEnd = new ArrayList<>(2);
    private boolean nonBlocking;
    private Resume paused;

    private Burst() {}

    /**
     * Runs {@code delivery}, then every write deferred during it, in the order they were
     * deferred. An exception from a deferred write propagates (the client left), as it would
     * have from the item's own handling; the remaining writes are then dropped. Nested calls
     * join the outer delivery (and return it).
     *
     * @return what the consumer said during the delivery: whether it writes without blocking and
     *     whether it paused the stream
     */
    public static Burst deliver(Runnable delivery) {
        Burst outer = CURRENT.get();
        if (outer != null) {
            delivery.run();
            return outer;
        }
        var burst = new Burst();
        CURRENT.set(burst);
        try {
            delivery.run();
            for (int i = 0; i < burst.atEnd.size(); i++) {
                burst.atEnd.get(i).run(); // still inside: a write may pause the stream
            }
        } finally {
            CURRENT.remove();
        }
        return burst;
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

    /** Said by a consumer whose writes never block: later deliveries may run on an I/O thread. */
    public static void writesWithoutBlocking() {
        Burst burst = CURRENT.get();
        if (burst != null) {
            burst.nonBlocking = true;
        }
    }

    /**
     * Said by a consumer that cannot take more yet: the transport stops reading the stream after
     * this delivery until the returned handle is resumed.
     *
     * @return the handle to resume, or null outside a delivery (there is no read to stop)
     */
    public static Resume pause() {
        Burst burst = CURRENT.get();
        if (burst == null) {
            return null;
        }
        if (burst.paused == null) {
            burst.paused = new Resume();
        }
        return burst.paused; // one pause a delivery: the transport waits on that one
    }

    /** Whether the consumer said its writes never block. */
    public boolean nonBlocking() {
        return nonBlocking;
    }

    /** The pause the consumer took during this delivery, or null when it can take more. */
    public Resume paused() {
        return paused;
    }

    /**
     * A paused stream's way back: the consumer resumes it once its writes have drained; the
     * transport gives it what reads on. Either may come first, and the read goes on exactly once.
     */
    public static final class Resume {

        private static final Object RESUMED = new Object();
        private final AtomicReference<Object> state = new AtomicReference<>();

        Resume() {}

        /** The consumer can take more: reading goes on now, or as soon as the transport asks. */
        public void resume() {
            Object before = state.getAndSet(RESUMED);
            if (before instanceof Runnable readOn) {
                readOn.run();
            }
        }

        /** The transport's next read, run on resumption (at once when that already happened). */
        public void then(Runnable readOn) {
            if (!state.compareAndSet(null, readOn)) {
                readOn.run();
            }
        }
    }
}
