package io.switchboard.provider.sse;

import io.switchboard.provider.ProviderException;

/**
 * Receives the events of an upstream event stream. Exactly one of {@link #onEnd} or
 * {@link #onError} ends it, and nothing follows a cancel. When {@link #onEvent} throws, the
 * upstream request is aborted and {@link #onError} follows (a {@link ProviderException} thrown
 * is passed on as it is; anything else becomes a cancellation).
 */
public interface SseHandler {

    void onEvent(SseEvent event);

    /** The upstream closed the stream cleanly. */
    void onEnd();

    void onError(ProviderException error);
}
