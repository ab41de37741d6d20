package io.switchboard.provider.builtin;

import io.switchboard.provider.StreamHandle;
import io.switchboard.provider.StreamObserver;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Hands a list of items to an observer one by one with a pause between them, without holding a
 * thread while it pauses: the timer only wakes the executor, which does the writing. This is how
 * thousands of slow builtin streams can be open at once.
 */
final class TimedEmitter<T> implements StreamHandle {

    private final List<T> items;
    private final long gapNanos;
    private final ScheduledExecutorService scheduler;
    private final Executor executor;
    private final StreamObserver<T> observer;
    private volatile boolean cancelled;
    private volatile Future<?> pending;
    private int next;

    TimedEmitter(
            List<T> items,
            Duration gap,
            ScheduledExecutorService scheduler,
            Executor executor,
            StreamObserver<T> observer) {
        this.items = List.copyOf(items);
        this.gapNanos = gap.toNanos();
        this.scheduler = scheduler;
        this.executor = executor;
        this.observer = observer;
    }

    TimedEmitter<T> start() {
        executor.execute(this::emit);
        return this;
    }

    private void emit() {
        // Only one emit runs at a time: each schedules the next after it has finished.
        while (!cancelled) {
            if (next == items.size()) {
                observer.onComplete();
                return;
            }
            try {
                observer.onNext(items.get(next++));
            } catch (RuntimeException clientGone) {
                cancelled = true;
                return;
            }
            if (gapNanos > 0 && next < items.size()) {
                pending = scheduler.schedule(() -> executor.execute(this::emit), gapNanos, TimeUnit.NANOSECONDS);
                return;
            }
        }
    }

    @Override
    public void cancel() {
        cancelled = true;
        Future<?> scheduled = pending;
        if (scheduled != null) {
            scheduled.cancel(false);
        }
    }
}
