package io.switchboard.provider.sse;

/**
 * One server-sent event: its {@code event} name (null for the default "message" event), its
 * {@code data} (lines joined by a newline) and its {@code id} (null when absent).
 */
public record SseEvent(String event, String data, String id) {

    /** True for OpenAI's end-of-stream sentinel, {@code data: [DONE]}. */
    public boolean isDone() {
        return "[DONE]".equals(data);
    }
}
