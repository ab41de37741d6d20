package io.switchboard.provider.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import io.switchboard.api.ChatCompletionChunk;
import io.switchboard.api.ChunkChoice;
import io.switchboard.api.ChunkDelta;
import io.switchboard.api.ToolCall;
import io.switchboard.api.Usage;
import io.switchboard.provider.ProviderException;
import io.switchboard.provider.ProviderException.Kind;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns the {@code GenerateContentResponse}s of one {@code streamGenerateContent?alt=sse} stream
 * into {@code chat.completion.chunk}s, in OpenAI's order: a role chunk per choice, text deltas,
 * each function call as one complete tool-call delta, then (when the upstream has closed) a
 * finish chunk per choice and, if asked for, a usage chunk.
 *
 * <p>Finish reasons are held until the end because older models repeat {@code finishReason} on
 * every event. One instance per stream; not thread-safe (a stream's events arrive in order).
 */
final class GeminiStreamTranslator {

    private final String provider;
    private final String requestedModel;
    private final String fallbackId;
    private final long created;
    private final boolean includeUsage;
    private final ObjectMapper mapper;
    private final Map<Integer, Choice> choices = new TreeMap<>();
    private String id;
    private String model;
    private JsonNode usageMetadata;
    private String blockedFinish = "stop";

    /**
     * @param fallbackId    the chunk id when Gemini sends no {@code responseId}
     * @param includeUsage  {@code stream_options.include_usage}: a usage chunk last, {@code "usage": null} before
     */
    GeminiStreamTranslator(
            String provider,
            String requestedModel,
            String fallbackId,
            long created,
            boolean includeUsage,
            ObjectMapper mapper) {
        this.provider = provider;
        this.requestedModel = requestedModel;
        this.fallbackId = fallbackId;
        this.created = created;
        this.includeUsage = includeUsage;
        this.mapper = mapper;
    }

    /** The chunks one upstream event becomes (possibly none). */
    List<ChatCompletionChunk> onResponse(JsonNode response) {
        if (id == null) {
            id = GeminiMapper.completionId(response, fallbackId);
            model = GeminiMapper.model(response, requestedModel);
        }
        if (response.hasNonNull("usageMetadata")) {
            usageMetadata = response.get("usageMetadata"); // cumulative: the last one counts
        }
        if (response.path("promptFeedback").hasNonNull("blockReason")) {
            blockedFinish = "content_filter";
        }
        var chunks = new ArrayList<ChatCompletionChunk>();
        JsonNode candidates = response.path("candidates");
        for (int position = 0; position < candidates.size(); position++) {
            JsonNode candidate = candidates.get(position);
            int index = candidate.path("index").asInt(position);
            Choice choice = choices.computeIfAbsent(index, i -> new Choice());
            if (!choice.opened) {
                choice.opened = true;
                chunks.add(chunk(index, ChunkDelta.opening(), null));
            }
            String text = GeminiMapper.text(candidate);
            if (text != null && !text.isEmpty()) {
                chunks.add(chunk(index, ChunkDelta.text(text), null));
            }
            List<ToolCall> calls = GeminiMapper.toolCalls(candidate, choice.toolCalls, true, mapper);
            if (!calls.isEmpty()) {
                choice.toolCalls += calls.size();
                chunks.add(chunk(index, ChunkDelta.toolCalls(calls), null));
            }
            String reason = candidate.path("finishReason").asText("");
            if (!reason.isEmpty()) {
                choice.finishReason = reason;
            }
        }
        return chunks;
    }

    /**
     * The closing chunks, once the upstream has ended the stream.
     *
     * @throws ProviderException when the stream carried no response at all
     */
    List<ChatCompletionChunk> finish() {
        if (id == null) {
            throw new ProviderException(
                    Kind.MALFORMED, provider, "The event stream from " + provider + " ended without a single response");
        }
        var chunks = new ArrayList<ChatCompletionChunk>();
        if (choices.isEmpty()) {
            // No candidates at all: the prompt was blocked.
            chunks.add(chunk(0, ChunkDelta.opening(), null));
            chunks.add(chunk(0, ChunkDelta.empty(), blockedFinish));
        }
        choices.forEach((index, choice) -> {
            String finish = GeminiMapper.finishReason(choice.finishReason, choice.toolCalls > 0);
            chunks.add(chunk(
                    index, ChunkDelta.empty(), finish != null ? finish : choice.toolCalls > 0 ? "tool_calls" : "stop"));
        });
        if (includeUsage) {
            Usage usage = GeminiMapper.usage(usageMetadata);
            chunks.add(new ChatCompletionChunk(
                    id,
                    ChatCompletionChunk.OBJECT,
                    created,
                    model,
                    List.of(),
                    mapper.valueToTree(usage != null ? usage : Usage.of(0, 0)),
                    Map.of()));
        }
        return chunks;
    }

    private ChatCompletionChunk chunk(int index, ChunkDelta delta, String finishReason) {
        return new ChatCompletionChunk(
                id,
                ChatCompletionChunk.OBJECT,
                created,
                model,
                List.of(new ChunkChoice(index, delta, finishReason)),
                includeUsage ? NullNode.getInstance() : null,
                Map.of());
    }

    /** What is known of one choice so far. */
    private static final class Choice {
        private boolean opened;
        private int toolCalls;
        private String finishReason;
    }
}
