package io.switchboard.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.api.ChatCompletionChunk;
import io.switchboard.api.ChunkChoice;
import io.switchboard.api.ToolCall;
import io.switchboard.api.Usage;
import io.switchboard.provider.ProviderException;
import io.switchboard.provider.StreamObserver;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * One attempt's chat completion chunks as Responses API stream events: {@code response.created}
 * and {@code response.in_progress} at the first chunk; text as a message item
 * ({@code output_item.added}, {@code content_part.added}, {@code output_text.delta}s, then
 * {@code output_text.done}, {@code content_part.done}, {@code output_item.done}); each tool call as
 * a function_call item with its {@code function_call_arguments.delta}s and {@code .done}; and at
 * the end {@code response.completed}, or {@code response.incomplete} when the model stopped at
 * its token limit. Sequence numbers are the caller's to add (only events that reach the client
 * count). One per attempt: a fallback starts a new one.
 */
final class ChatStreamEvents implements StreamObserver<ChatCompletionChunk> {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final StreamObserver<ObjectNode> events;
    /** A fresh response envelope in the given status. */
    private final Function<String, ObjectNode> envelope;

    private final ArrayNode output = JSON.arrayNode();
    private final Map<Integer, Call> calls = new HashMap<>();
    private boolean started;
    private int nextOutputIndex;
    private Open open;
    private Call current;
    private String messageId;
    private int messageIndex;
    private StringBuilder text;
    private String finishReason;
    private ObjectNode usage;

    ChatStreamEvents(StreamObserver<ObjectNode> events, Function<String, ObjectNode> envelope) {
        this.events = events;
        this.envelope = envelope;
    }

    private enum Open {
        MESSAGE,
        CALL
    }

    /** A function call being streamed: its item id, output index, call id, name and arguments so far. */
    private static final class Call {
        final String itemId = ResponseIds.next("fc_");
        final int outputIndex;
        final String callId;
        final String name;
        final StringBuilder arguments = new StringBuilder();
        boolean done;

        Call(int outputIndex, String callId, String name) {
            this.outputIndex = outputIndex;
            this.callId = callId;
            this.name = name;
        }
    }

    /** Whether an event carries some of the answer: the stream's commit point. */
    static boolean commits(ObjectNode event) {
        return switch (event.path("type").asText()) {
            case "response.output_text.delta",
                    "response.function_call_arguments.delta",
                    "response.completed",
                    "response.incomplete",
                    "response.failed" -> true;
            default -> false;
        };
    }

    @Override
    public void onNext(ChatCompletionChunk chunk) {
        start();
        Usage reported = Usage.fromNode(chunk.usage());
        if (reported != null) {
            usage = ResponseObjects.usage(reported);
        }
        if (chunk.choices() == null) {
            return;
        }
        for (ChunkChoice choice : chunk.choices()) {
            if (choice.index() != 0) {
                continue; // n > 1 has no Responses equivalent; the request never asks for it
            }
            if (choice.delta() != null) {
                JsonNode content = choice.delta().content();
                if (content != null
                        && content.isTextual()
                        && !content.textValue().isEmpty()) {
                    text(content.textValue());
                }
                if (choice.delta().toolCalls() != null) {
                    choice.delta().toolCalls().forEach(this::toolCall);
                }
            }
            if (choice.finishReason() != null) {
                finishReason = choice.finishReason();
            }
        }
    }

    private void start() {
        if (started) {
            return;
        }
        started = true;
        send(event("response.created").set("response", envelope.apply("in_progress")));
        send(event("response.in_progress").set("response", envelope.apply("in_progress")));
    }

    private void text(String delta) {
        if (open != Open.MESSAGE) {
            closeOpen();
            open = Open.MESSAGE;
            messageId = ResponseIds.next("msg_");
            messageIndex = nextOutputIndex++;
            text = new StringBuilder();
            send(event("response.output_item.added")
                    .put("output_index", messageIndex)
                    .set("item", ResponseObjects.messageItem(messageId, "in_progress")));
            send(partEvent("response.content_part.added").set("part", ResponseObjects.textPart("")));
        }
        text.append(delta);
        send(partEvent("response.output_text.delta").put("delta", delta).set("logprobs", JSON.arrayNode()));
    }

    private void toolCall(ToolCall delta) {
        int index = delta.index() == null ? 0 : delta.index();
        Call call = calls.get(index);
        if (call == null) {
            closeOpen();
            String name = delta.function() == null ? null : delta.function().name();
            String callId = delta.id() != null ? delta.id() : ResponseIds.next("call_");
            call = new Call(nextOutputIndex++, callId, name == null ? "" : name);
            calls.put(index, call);
            open = Open.CALL;
            current = call;
            send(event("response.output_item.added")
                    .put("output_index", call.outputIndex)
                    .set(
                            "item",
                            ResponseObjects.functionCallItem(call.itemId, call.callId, call.name, "", "in_progress")));
        }
        String arguments = delta.function() == null ? null : delta.function().arguments();
        if (arguments != null && !arguments.isEmpty()) {
            call.arguments.append(arguments);
            send(event("response.function_call_arguments.delta")
                    .put("item_id", call.itemId)
                    .put("output_index", call.outputIndex)
                    .put("delta", arguments));
        }
    }

    private void closeOpen() {
        if (open == Open.MESSAGE) {
            String whole = text.toString();
            send(partEvent("response.output_text.done").put("text", whole).set("logprobs", JSON.arrayNode()));
            send(partEvent("response.content_part.done").set("part", ResponseObjects.textPart(whole)));
            var item = ResponseObjects.messageItem(messageId, "completed");
            ((ArrayNode) item.get("content")).add(ResponseObjects.textPart(whole));
            send(event("response.output_item.done")
                    .put("output_index", messageIndex)
                    .set("item", item));
            place(messageIndex, item);
        } else if (open == Open.CALL && current != null && !current.done) {
            Call call = current;
            call.done = true;
            String arguments = call.arguments.toString();
            send(event("response.function_call_arguments.done")
                    .put("item_id", call.itemId)
                    .put("output_index", call.outputIndex)
                    .put("name", call.name)
                    .put("arguments", arguments));
            var item = ResponseObjects.functionCallItem(call.itemId, call.callId, call.name, arguments, "completed");
            send(event("response.output_item.done")
                    .put("output_index", call.outputIndex)
                    .set("item", item));
            place(call.outputIndex, item);
        }
        open = null;
    }

    private void place(int index, ObjectNode item) {
        while (output.size() <= index) {
            output.addNull();
        }
        output.set(index, item);
    }

    @Override
    public void onComplete() {
        start();
        closeOpen();
        var response = envelope.apply("completed");
        ((ArrayNode) response.get("output")).addAll(output);
        ResponseObjects.finish(response, finishReason, usage);
        send(event("response." + response.path("status").asText()).set("response", response));
        events.onComplete();
    }

    @Override
    public void onError(ProviderException error) {
        events.onError(error);
    }

    private ObjectNode partEvent(String type) {
        return event(type)
                .put("item_id", messageId)
                .put("output_index", messageIndex)
                .put("content_index", 0);
    }

    private static ObjectNode event(String type) {
        return JSON.objectNode().put("type", type);
    }

    private void send(ObjectNode event) {
        events.onNext(event);
    }
}
