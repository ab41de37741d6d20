package io.switchboard.provider;

/**
 * Receives a streamed response. An adapter calls {@link #onNext} for each item in order, then
 * exactly one of {@link #onComplete} or {@link #onError}, all from one thread at a time. When
 * {@code onNext} throws (the client went away), the adapter aborts the upstream call and
 * stops calling.
 */
public interface StreamObserver<T> {

    void onNext(T item);

    void onComplete();

    void onError(ProviderException error);
}
