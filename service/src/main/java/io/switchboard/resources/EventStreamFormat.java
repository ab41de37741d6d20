package io.switchboard.resources;

import java.util.function.Function;

/**
 * How a relayed stream frames its items: the SSE {@code event:} name of each (null for none) and
 * whether it ends with {@code data: [DONE]}. Chat completions write unnamed events and
 * {@code [DONE]}; the Responses API names each event by its type and ends without one.
 */
public record EventStreamFormat<T>(Function<T, String> eventName, boolean endsWithDone) {

    /** OpenAI's chat and completions framing: {@code data: {chunk}} events, then {@code data: [DONE]}. */
    public static <T> EventStreamFormat<T> dataOnly() {
        return new EventStreamFormat<>(item -> null, true);
    }
}
