package io.switchboard.registry;

import io.switchboard.provider.ModelInfo;
import io.switchboard.provider.Provider;
import io.switchboard.provider.ProviderException;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One provider's model listing, bounded by a timeout: the models, or how it failed. The future
 * never fails; a listing still running at the timeout is cancelled, which aborts its HTTP call.
 *
 * @param failure  null when the listing answered
 * @param timedOut whether it failed by running out of time
 */
record ModelListing(List<ModelInfo> models, ProviderException failure, boolean timedOut) {

    static CompletableFuture<ModelListing> of(Provider provider, Duration timeout, ScheduledExecutorService scheduler) {
        CompletableFuture<List<ModelInfo>> listing;
        try {
            listing = provider.listModels();
        } catch (RuntimeException e) {
            listing = CompletableFuture.failedFuture(e);
        }
        CompletableFuture<List<ModelInfo>> pending = listing;
        ScheduledFuture<?> timer =
                scheduler.schedule(() -> pending.cancel(true), timeout.toMillis(), TimeUnit.MILLISECONDS);
        return listing.handle((models, failure) -> {
            timer.cancel(false);
            if (failure == null) {
                return new ModelListing(models, null, false);
            }
            return new ModelListing(null, ProviderException.from(failure, provider.name()), pending.isCancelled());
        });
    }
}
