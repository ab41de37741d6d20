package io.switchboard.core;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * How many log lines of one kind (one provider's failures, say) may be written: up to
 * {@code perWindow} in each window, the rest counted and reported with the first line of the next
 * window, so an outage writes a bounded number of lines however many requests fail.
 */
final class LogLimiter {

    private final int perWindow;
    private final long windowNanos;
    private final LongSupplier clock;
    private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

    LogLimiter(int perWindow, long windowNanos, LongSupplier clock) {
        this.perWindow = perWindow;
        this.windowNanos = windowNanos;
        this.clock = clock;
    }

    /**
     * Whether a line about {@code subject} may be written now: -1 when it may not; otherwise how
     * many lines about it were held back since the last one written (0 most of the time).
     */
    long admit(String subject) {
        long now = clock.getAsLong();
        Window window = windows.computeIfAbsent(subject, key -> new Window(now));
        synchronized (window) {
            if (now - window.start >= windowNanos) {
                window.start = now;
                window.written = 0;
            }
            if (window.written < perWindow) {
                window.written++;
                return window.suppressed.getAndSet(0);
            }
            window.suppressed.incrementAndGet();
            return -1;
        }
    }

    private static final class Window {
        long start;
        int written;
        final AtomicLong suppressed = new AtomicLong();

        Window(long start) {
            this.start = start;
        }
    }
}
