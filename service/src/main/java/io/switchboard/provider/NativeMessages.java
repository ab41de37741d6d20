package io.switchboard.provider;

import io.switchboard.api.Usage;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Anthropic's Messages API, spoken by a provider as its own protocol: bodies go out and come back
 * as bytes, untouched, and a stream's events are handed on one by one as they arrive. An ingress
 * that speaks the same API passes a client's request through this instead of translating it.
 * Failures are {@link ProviderException}s, classified as for every other call; cancelling a
 * returned future or handle aborts the upstream call.
 */
public interface NativeMessages {

    /** {@code POST /v1/messages}, not streamed. */
    CompletableFuture<Reply> create(Call call);

    /** {@code POST /v1/messages} with {@code "stream": true}: each event as it arrives. */
    StreamHandle stream(Call call, StreamObserver<Event> observer);

    /** {@code POST /v1/messages/count_tokens}. */
    CompletableFuture<Reply> countTokens(Call call);

    /**
     * One call.
     *
     * @param model   the upstream's model id, already written into {@code body}
     * @param body    the request body as it goes out
     * @param headers the client's protocol headers to forward ({@code anthropic-beta},
     *                {@code anthropic-version}); never a key
     */
    record Call(String model, byte[] body, Map<String, String> headers) {

        public Call {
            headers = Map.copyOf(headers);
        }
    }

    /**
     * A whole response body as the upstream sent it, and its usage in OpenAI's terms (null when
     * it reports none).
     */
    record Reply(byte[] body, Usage usage) {}

    /**
     * One event of a stream as the upstream sent it. {@code usage} is the stream's usage so far
     * when this event changed it, else null: the last non-null one is the stream's.
     */
    record Event(String name, String data, Usage usage) {}
}
