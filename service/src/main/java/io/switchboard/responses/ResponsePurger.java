package io.switchboard.responses;

import io.dropwizard.lifecycle.Managed;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Deletes stored responses older than the retention, at start and then every {@code period}, on
 * a thread of its own (a purge is a database statement; the gateway's shared timer never blocks).
 */
public final class ResponsePurger implements Managed {

    private static final Logger LOG = LoggerFactory.getLogger(ResponsePurger.class);

    private final ResponseStore store;
    private final Duration retention;
    private final Duration period;
    private final Clock clock;
    private ScheduledExecutorService thread;

    public ResponsePurger(ResponseStore store, Duration retention, Duration period, Clock clock) {
        this.store = store;
        this.retention = retention;
        this.period = period;
        this.clock = clock;
    }

    @Override
    public void start() {
        thread = Executors.newSingleThreadScheduledExecutor(task -> {
            var purger = new Thread(task, "switchboard-responses-purge");
            purger.setDaemon(true);
            return purger;
        });
        thread.scheduleWithFixedDelay(this::purge, 0, period.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One purge now; failures are logged and the next period tries again. */
    public int purge() {
        try {
            int purged = store.purgeBefore(clock.millis() - retention.toMillis());
            if (purged > 0) {
                LOG.info("Stored responses: {} older than {} purged", purged, retention);
            }
            return purged;
        } catch (RuntimeException e) {
            LOG.warn("Stored responses: purge failed; trying again in {}", period, e);
            return 0;
        }
    }

    @Override
    public void stop() throws InterruptedException {
        if (thread != null) {
            thread.shutdownNow();
            thread.awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
