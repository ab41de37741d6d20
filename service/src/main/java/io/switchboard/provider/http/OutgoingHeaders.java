package io.switchboard.provider.http;

import java.util.function.BiConsumer;

/**
 * Headers put on every upstream request as it is sent, computed on the sending thread: how a trace
 * context ({@code traceparent}, {@code tracestate}) reaches upstreams without any adapter knowing
 * tracing. Routing starts each attempt on one thread and adapters send their request on it, so
 * whatever that thread's context is at that moment is the attempt's.
 */
@FunctionalInterface
public interface OutgoingHeaders {

    OutgoingHeaders NONE = header -> {};

    /** Adds this moment's headers through {@code header} (name, value); a name given twice replaces. */
    void addTo(BiConsumer<String, String> header);
}
