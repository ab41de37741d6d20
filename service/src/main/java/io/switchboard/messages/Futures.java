package io.switchboard.messages;

import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/** Mapping a provider's future without losing the way back to it. */
final class Futures {

    private Futures() {}

    /**
     * {@code source}'s value through {@code map}. Unlike {@code thenApply}, failing or cancelling
     * the result (the deadline, the client leaving) also ends {@code source}, which aborts the
     * upstream call beneath it.
     */
    static <A, B> CompletableFuture<B> map(CompletableFuture<A> source, Function<A, B> map) {
        var result = new CompletableFuture<B>();
        source.whenComplete((value, failure) -> {
            if (failure != null) {
                result.completeExceptionally(failure);
                return;
            }
            try {
                result.complete(map.apply(value));
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        result.whenComplete((value, failure) -> {
            if (failure != null && !source.isDone()) {
                source.completeExceptionally(failure);
            }
        });
        return result;
    }
}
