package io.switchboard.messages;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.api.ChatCompletionChunk;
import io.switchboard.api.ChunkChoice;
import io.switchboard.api.ChunkDelta;
import io.switchboard.api.ToolCall;
import io.switchboard.api.Usage;
import io.switchboard.provider.NativeMessages.Event;
import io.switchboard.provider.ProviderException;
import io.switchboard.provider.StreamObserver;

import java.util.HashMap;
import java.util.Map;

/**
 * Turns one chat completions stream into the Messages API's event sequence, as chunks arrive:
 * {@code message_start} and a {@code ping}; then for each piece of the answer a content block
 * ({@code content_block_start}, its deltas, {@code content_block_stop}): {@code thinking} with
 * {@code thinking_delta}s where the upstream streams reasoning ({@code reasoning_content} or
 * {@code reasoning}), {@code text} with {@code text_delta}s, {@code tool_use} with
 * {@code input_json_delta}s; and when the upstream ends, {@code message_delta} with the stop
 * reason and usage, then {@code message_stop}. One per stream, driven from one thread at a time.
 */
final class ChatToMessagesStream implements StreamObserver<ChatCompletionChunk> {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Event PING = new Event("ping", "{\"type\":\"ping\"}", null);

    private final String model;
    private final StreamObserver<Event> downstream;
    /** Chat numbers tool calls alone; Anthropic numbers every content block. */
    private final Map<Integer, Integer> blockByTool = new HashMap<>();

    private boolean started;
    private int nextBlock;
    /** The open block's index, -1 when none is open, and its type. */
    private int openBlock = -1;

    private String openType;
    private String finishReason;
    private Usage usage;

    /** @param model the model id the client named, which every event carries */
    ChatToMessagesStream(String model, StreamObserver<Event> downstream) {
        this.model = model;
        this.downstream = downstream;
    }

    @Override
    public void onNext(ChatCompletionChunk chunk) {
        start(chunk.id());
        Usage reported = chunk.reportedUsage();
        if (reported != null) {
            usage = reported;
        }
        if (chunk.choices() == null) {
            return;
        }
        for (ChunkChoice choice : chunk.choices()) {
            if (choice.index() != 0) {
                continue;
            }
            ChunkDelta delta = choice.delta();
            if (delta != null) {
                String reasoning = MessagesReplies.reasoning(
                        delta.extra().get("reasoning_content"), delta.extra().get("reasoning"));
                if (reasoning != null) {
                    open(
                            "thinking",
                            NODES.objectNode()
                                    .put("type", "thinking")
                                    .put("thinking", "")
                                    .put("signature", ""));
                    delta("thinking_delta", "thinking", reasoning);
                }
                String text = delta.contentText();
                if (!text.isEmpty()) {
                    open("text", NODES.objectNode().put("type", "text").put("text", ""));
                    delta("text_delta", "text", text);
                }
                if (delta.toolCalls() != null) {
                    delta.toolCalls().forEach(this::toolCall);
                }
            }
            if (choice.finishReason() != null) {
                finishReason = choice.finishReason();
            }
        }
    }

    private void toolCall(ToolCall call) {
        int toolIndex = call.index() != null ? call.index() : blockByTool.size();
        Integer block = blockByTool.get(toolIndex);
        if (block == null) {
            ObjectNode start = NODES.objectNode().put("type", "tool_use");
            start.put("id", call.id() != null ? call.id() : "toolu_" + toolIndex);
            start.put("name", call.function() != null ? call.function().name() : null);
            start.putObject("input");
            openNew("tool_use", start);
            blockByTool.put(toolIndex, openBlock);
            block = openBlock;
        }
        String arguments = call.function() != null ? call.function().arguments() : null;
        if (arguments != null && !arguments.isEmpty()) {
            ObjectNode event =
                    NODES.objectNode().put("type", "content_block_delta").put("index", block);
            event.putObject("delta").put("type", "input_json_delta").put("partial_json", arguments);
            emit("content_block_delta", event, null);
        }
    }

    @Override
    public void onComplete() {
        start(null);
        close();
        ObjectNode delta = NODES.objectNode().put("type", "message_delta");
        delta.putObject("delta")
                .put("stop_reason", MessagesReplies.stopReason(finishReason))
                .putNull("stop_sequence");
        ObjectNode counts = MessagesReplies.usage(usage);
        delta.set("usage", counts);
        emit("message_delta", delta, usage);
        emit("message_stop", NODES.objectNode().put("type", "message_stop"), null);
        downstream.onComplete();
    }

    @Override
    public void onError(ProviderException error) {
        downstream.onError(error);
    }

    private void start(String chatId) {
        if (started) {
            return;
        }
        started = true;
        ObjectNode event = NODES.objectNode().put("type", "message_start");
        ObjectNode message = event.putObject("message");
        message.put("id", MessagesReplies.messageId(chatId));
        message.put("type", "message");
        message.put("role", "assistant");
        message.put("model", model);
        message.putArray("content");
        message.putNull("stop_reason");
        message.putNull("stop_sequence");
        message.putObject("usage").put("input_tokens", 0).put("output_tokens", 0);
        emit("message_start", event, null);
        downstream.onNext(PING);
    }

    /** Opens a block of {@code type} unless one is open already. */
    private void open(String type, ObjectNode block) {
        if (openBlock < 0 || !type.equals(openType)) {
            openNew(type, block);
        }
    }

    private void openNew(String type, ObjectNode block) {
        close();
        openBlock = nextBlock++;
        openType = type;
        ObjectNode event = NODES.objectNode().put("type", "content_block_start").put("index", openBlock);
        event.set("content_block", block);
        emit("content_block_start", event, null);
    }

    private void close() {
        if (openBlock >= 0) {
            emit(
                    "content_block_stop",
                    NODES.objectNode().put("type", "content_block_stop").put("index", openBlock),
                    null);
            openBlock = -1;
            openType = null;
        }
    }

    private void delta(String deltaType, String field, String value) {
        ObjectNode event = NODES.objectNode().put("type", "content_block_delta").put("index", openBlock);
        event.putObject("delta").put("type", deltaType).put(field, value);
        emit("content_block_delta", event, null);
    }

    private void emit(String name, JsonNode data, Usage usage) {
        downstream.onNext(new Event(name, data.toString(), usage));
    }
}
