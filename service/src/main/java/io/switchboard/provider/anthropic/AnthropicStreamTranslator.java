package io.switchboard.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.api.ChatCompletionChunk;
import io.switchboard.api.ChunkChoice;
import io.switchboard.api.ChunkDelta;
import io.switchboard.api.FunctionCall;
import io.switchboard.api.ToolCall;
import io.switchboard.api.Usage;
import io.switchboard.provider.ProviderException;
import io.switchboard.provider.ProviderException.Kind;
import io.switchboard.provider.StreamObserver;
import io.switchboard.provider.sse.SseEvent;
import io.switchboard.provider.sse.SseHandler;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns one Anthropic event stream into OpenAI {@code chat.completion.chunk}s, as the events
 * arrive. Stateful, one per stream, driven from one thread at a time (the transport's contract).
 *
 * <p>The sequence OpenAI clients expect: a role chunk first; text as content deltas; each
 * {@code tool_use} block as a tool-call delta (index, id, name, empty arguments) followed by its
 * argument fragments; a last chunk with an empty delta and the finish reason; when the client
 * asked for {@code stream_options.include_usage}, {@code "usage": null} on every chunk and one
 * more with no choices and the usage. An {@code error} event is thrown as a
 * {@link ProviderException}, so that the transport aborts the upstream call and reports it.
 */
final class AnthropicStreamTranslator implements SseHandler {

    private final String provider;
    private final boolean includeUsage;
    private final long created;
    private final ObjectMapper json;
    private final StreamObserver<ChatCompletionChunk> observer;
    /** Anthropic numbers content blocks (text and tools together); OpenAI numbers tool calls alone. */
    private final Map<Integer, Integer> toolIndexByBlock = new HashMap<>();

    private String id;
    private String model;
    private ObjectNode usage;
    private boolean finished;

    /**
     * @param model    the upstream model asked for, until {@code message_start} names the one serving
     * @param created  the {@code created} of every chunk (epoch seconds)
     */
    AnthropicStreamTranslator(
            String provider,
            String model,
            boolean includeUsage,
            long created,
            ObjectMapper json,
            StreamObserver<ChatCompletionChunk> observer) {
        this.provider = provider;
        this.model = model;
        this.includeUsage = includeUsage;
        this.created = created;
        this.json = json;
        this.observer = observer;
    }

    @Override
    public void onEvent(SseEvent event) {
        if (finished) {
            return;
        }
        JsonNode data = parse(event);
        String type = data.path("type").asText(event.event() != null ? event.event() : "");
        switch (type) {
            case "message_start" -> messageStart(data.path("message"));
            case "content_block_start" -> blockStart(data.path("index").asInt(-1), data.path("content_block"));
            case "content_block_delta" -> blockDelta(data.path("index").asInt(-1), data.path("delta"));
            case "message_delta" -> messageDelta(data);
            case "message_stop" -> messageStop();
            case "error" -> throw error(data.path("error"));
            default -> {
                // ping, content_block_stop, and event types added after this was written (Anthropic's
                // versioning policy allows new ones): nothing to tell the client.
            }
        }
    }

    @Override
    public void onEnd() {
        if (!finished) {
            finished = true;
            observer.onError(new ProviderException(
                    Kind.MALFORMED, provider, "The event stream from " + provider + " ended before message_stop"));
        }
    }

    @Override
    public void onError(ProviderException error) {
        if (!finished) {
            finished = true;
            observer.onError(error);
        }
    }

    private void messageStart(JsonNode message) {
        id = message.path("id").asText(id);
        model = message.path("model").asText(model);
        JsonNode startUsage = message.get("usage");
        usage = startUsage != null && startUsage.isObject() ? startUsage.deepCopy() : json.createObjectNode();
        emit(ChunkDelta.opening(), null);
    }

    private void blockStart(int index, JsonNode block) {
        switch (block.path("type").asText("")) {
            case "text" -> {
                String text = block.path("text").asText("");
                if (!text.isEmpty()) {
                    emit(ChunkDelta.text(text), null);
                }
            }
            case "tool_use" -> {
                int toolIndex = toolIndexByBlock.size();
                toolIndexByBlock.put(index, toolIndex);
                // The input arrives as input_json_delta fragments; a start that already carries it whole
                // (not what Anthropic documents, but cheap to honour) passes it on at once.
                JsonNode input = block.get("input");
                String arguments = input != null && input.isObject() && !input.isEmpty() ? input.toString() : "";
                emit(
                        ChunkDelta.toolCalls(List.of(new ToolCall(
                                toolIndex,
                                block.path("id").asText(null),
                                "function",
                                new FunctionCall(block.path("name").asText(null), arguments),
                                Map.of()))),
                        null);
            }
            default -> {
                // thinking, redacted_thinking, server-tool blocks: chat completions have no place for them.
            }
        }
    }

    private void blockDelta(int index, JsonNode delta) {
        switch (delta.path("type").asText("")) {
            case "text_delta" -> {
                String text = delta.path("text").asText("");
                if (!text.isEmpty()) {
                    emit(ChunkDelta.text(text), null);
                }
            }
            case "input_json_delta" -> {
                Integer toolIndex = toolIndexByBlock.get(index);
                String fragment = delta.path("partial_json").asText("");
                // Anthropic opens with an empty fragment; it says nothing, so it is not relayed.
                if (toolIndex != null && !fragment.isEmpty()) {
                    emit(
                            ChunkDelta.toolCalls(List.of(
                                    new ToolCall(toolIndex, null, null, new FunctionCall(null, fragment), Map.of()))),
                            null);
                }
            }
            default -> {
                // thinking_delta, signature_delta, citations_delta: no chat-completions equivalent.
            }
        }
    }

    private void messageDelta(JsonNode data) {
        JsonNode deltaUsage = data.get("usage");
        if (deltaUsage != null && deltaUsage.isObject()) {
            if (usage == null) {
                usage = json.createObjectNode();
            }
            // message_delta's counts are cumulative: they replace those of message_start.
            deltaUsage.properties().forEach(field -> {
                if (!field.getValue().isNull()) {
                    usage.set(field.getKey(), field.getValue());
                }
            });
        }
        String stopReason = data.path("delta").path("stop_reason").asText(null);
        emit(ChunkDelta.empty(), AnthropicMapper.finishReason(stopReason));
    }

    private void messageStop() {
        if (includeUsage) {
            Usage total = AnthropicMapper.usage(usage != null ? usage : json.createObjectNode(), null);
            observer.onNext(new ChatCompletionChunk(
                    id, ChatCompletionChunk.OBJECT, created, model, List.of(), json.valueToTree(total), Map.of()));
        }
        finished = true;
        observer.onComplete();
    }

    private void emit(ChunkDelta delta, String finishReason) {
        observer.onNext(new ChatCompletionChunk(
                id,
                ChatCompletionChunk.OBJECT,
                created,
                model,
                List.of(new ChunkChoice(0, delta, finishReason)),
                includeUsage ? NullNode.getInstance() : null,
                Map.of()));
    }

    /** An {@code error} event: the status Anthropic would have sent decides the kind (529 is 5xx). */
    private ProviderException error(JsonNode error) {
        return AnthropicMapper.streamError(provider, error);
    }

    private JsonNode parse(SseEvent event) {
        return AnthropicMapper.eventData(provider, json, event);
    }
}
