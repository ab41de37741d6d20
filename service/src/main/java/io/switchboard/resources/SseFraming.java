package io.switchboard.resources;

import io.switchboard.provider.ProviderException;

import java.util.List;

/**
 * How an API writes a stream as server-sent events: OpenAI's chat and completions send unnamed
 * {@code data:} chunks and end with {@code [DONE]}; APIs with named events (Anthropic's Messages)
 * name each one and end with an event of their own. {@link SseRelay} keeps the commit point, the
 * heartbeat and the client's leaving the same for all of them.
 */
public interface SseFraming<T> {

    /** One event as written: its {@code event:} name (null for none) and its {@code data:}. */
    record Frame(String name, String data) {}

    /** The event an item is written as. */
    Frame frame(T item);

    /**
     * What is written after the last item: on success ({@code failure} null) and after a failure
     * past the commit point.
     */
    List<Frame> end(ProviderException failure);

    /** What a quiet stream writes every heartbeat; null for a {@code : keep-alive} comment. */
    default Frame heartbeat() {
        return null;
    }
}
