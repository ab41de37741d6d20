package io.switchboard.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/**
 * Realistic OpenAI wire bodies for {@link FakeUpstream} scripts.
 *
 * <p>Shapes and field order are transcribed from OpenAI's API reference (the examples in
 * openai/openai-openapi, see /work/shared/provider-fixtures/openai/) so the gateway is tested
 * against what the provider really sends, including the fields clients tend to trip over
 * ({@code refusal: null}, {@code annotations: []}, {@code usage: null} on stream chunks, the
 * {@code choices: []} usage chunk). Ids, timestamps and token counts are fixed constants so tests
 * can assert on them.
 */
public final class OpenAiWire {

    public static final String CHAT_COMPLETION_ID = "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT";
    public static final String COMPLETION_ID = "cmpl-uqkvlQyYK7bGYrRHQ0eXlWi7";
    public static final long CREATED = 1741569952L;
    public static final String SYSTEM_FINGERPRINT = "fp_44709d6fcb";
    public static final String SERVICE_TIER = "default";

    /** Token usage reported by every chat/completion helper here. */
    public static final int PROMPT_TOKENS = 19;

    public static final int COMPLETION_TOKENS = 10;
    public static final int TOTAL_TOKENS = PROMPT_TOKENS + COMPLETION_TOKENS;

    /** Token usage reported by {@link #embeddings}. */
    public static final int EMBEDDING_PROMPT_TOKENS = 8;

    /** The frame that terminates every OpenAI stream. */
    public static final String DONE = "data: [DONE]\n\n";

    // Thread-safe once configured; never reconfigured.
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private OpenAiWire() {}

    /** A non-streamed {@code chat.completion} whose assistant message is {@code content}. */
    public static String chatCompletion(String model, String content) {
        ObjectNode message = MAPPER.createObjectNode();
        message.put("role", "assistant");
        message.put("content", content);
        message.putNull("refusal");
        message.putArray("annotations");
        return body(chatCompletionEnvelope(model, message, "stop"));
    }

    /**
     * A non-streamed {@code chat.completion} in which the assistant calls one function: {@code
     * content: null}, one {@code tool_calls} entry, {@code finish_reason: "tool_calls"}.
     *
     * @param argumentsJson the function arguments as a JSON <em>string</em> (OpenAI sends them
     *     encoded, not as a nested object)
     */
    public static String toolCallCompletion(
            String model, String toolCallId, String functionName, String argumentsJson) {
        ObjectNode message = MAPPER.createObjectNode();
        message.put("role", "assistant");
        message.putNull("content");
        ObjectNode call = message.putArray("tool_calls").addObject();
        call.put("id", toolCallId);
        call.put("type", "function");
        ObjectNode function = call.putObject("function");
        function.put("name", functionName);
        function.put("arguments", argumentsJson);
        message.putNull("refusal");
        message.putArray("annotations");
        return body(chatCompletionEnvelope(model, message, "tool_calls"));
    }

    /**
     * SSE frames of a streamed chat completion, exactly as OpenAI frames them: a role chunk, one
     * content chunk per piece, a {@code finish_reason: "stop"} chunk, then (with {@code
     * includeUsage}, i.e. {@code stream_options.include_usage}) a {@code choices: []} chunk carrying
     * the usage, and finally {@code data: [DONE]}.
     */
    public static List<String> chatStream(String model, List<String> pieces, boolean includeUsage) {
        List<String> frames = new ArrayList<>();
        ObjectNode roleDelta = MAPPER.createObjectNode();
        roleDelta.put("role", "assistant");
        roleDelta.put("content", "");
        roleDelta.putNull("refusal");
        frames.add(sseData(streamChunk(model, includeUsage, roleDelta, null)));
        for (String piece : pieces) {
            ObjectNode delta = MAPPER.createObjectNode();
            delta.put("content", piece);
            frames.add(sseData(streamChunk(model, includeUsage, delta, null)));
        }
        frames.add(sseData(streamChunk(model, includeUsage, MAPPER.createObjectNode(), "stop")));
        if (includeUsage) {
            frames.add(sseData(usageChunk(model)));
        }
        frames.add(DONE);
        return List.copyOf(frames);
    }

    /**
     * SSE frames of a streamed single function call, per OpenAI's function-calling guide: the first
     * delta carries {@code index}, {@code id}, {@code type} and {@code function.name} with empty
     * arguments; each later delta carries only {@code index} and an {@code arguments} fragment; then
     * a {@code finish_reason: "tool_calls"} chunk and {@code data: [DONE]}.
     */
    public static List<String> toolCallStream(String model, String id, String name, List<String> argumentFragments) {
        List<String> frames = new ArrayList<>();
        ObjectNode first = MAPPER.createObjectNode();
        first.put("role", "assistant");
        first.putNull("content");
        ObjectNode call = first.putArray("tool_calls").addObject();
        call.put("index", 0);
        call.put("id", id);
        call.put("type", "function");
        ObjectNode function = call.putObject("function");
        function.put("name", name);
        function.put("arguments", "");
        first.putNull("refusal");
        frames.add(sseData(streamChunk(model, false, first, null)));
        for (String fragment : argumentFragments) {
            ObjectNode delta = MAPPER.createObjectNode();
            ObjectNode part = delta.putArray("tool_calls").addObject();
            part.put("index", 0);
            part.putObject("function").put("arguments", fragment);
            frames.add(sseData(streamChunk(model, false, delta, null)));
        }
        frames.add(sseData(streamChunk(model, false, MAPPER.createObjectNode(), "tool_calls")));
        frames.add(DONE);
        return List.copyOf(frames);
    }

    /**
     * An embeddings {@code list} with {@code count} vectors of {@code dims} floats. Values are
     * deterministic (derived from the position) so tests can compare them.
     */
    public static String embeddings(String model, int count, int dims) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("object", "list");
        ArrayNode data = root.putArray("data");
        for (int i = 0; i < count; i++) {
            ObjectNode item = data.addObject();
            item.put("object", "embedding");
            ArrayNode vector = item.putArray("embedding");
            for (int j = 0; j < dims; j++) {
                vector.add(embeddingValue(i, j));
            }
            item.put("index", i);
        }
        root.put("model", model);
        ObjectNode usage = root.putObject("usage");
        usage.put("prompt_tokens", EMBEDDING_PROMPT_TOKENS);
        usage.put("total_tokens", EMBEDDING_PROMPT_TOKENS);
        return body(root);
    }

    /** The value {@link #embeddings} puts at {@code vector[index][dim]}. */
    public static float embeddingValue(int index, int dim) {
        // Small, signed, varied floats like real embeddings; float precision as on the wire.
        return (float) (Math.sin(index * 31 + dim + 1) / 10);
    }

    /** {@code GET /v1/models}: a {@code list} of {@code model} objects owned by "openai". */
    public static String models(String... ids) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("object", "list");
        ArrayNode data = root.putArray("data");
        for (String id : ids) {
            ObjectNode model = data.addObject();
            model.put("id", id);
            model.put("object", "model");
            model.put("created", 1686935002L);
            model.put("owned_by", "openai");
        }
        return body(root);
    }

    /** A legacy {@code text_completion} (POST /v1/completions) returning {@code text}. */
    public static String completion(String model, String text) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("id", COMPLETION_ID);
        root.put("object", "text_completion");
        root.put("created", CREATED);
        root.put("model", model);
        root.put("system_fingerprint", SYSTEM_FINGERPRINT);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("text", text);
        choice.put("index", 0);
        choice.putNull("logprobs");
        choice.put("finish_reason", "stop");
        ObjectNode usage = root.putObject("usage");
        usage.put("prompt_tokens", PROMPT_TOKENS);
        usage.put("completion_tokens", COMPLETION_TOKENS);
        usage.put("total_tokens", TOTAL_TOKENS);
        return body(root);
    }

    /** An images response (generations/edits) with one {@code b64_json} image. */
    public static String imagesB64(String b64) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("created", 1713833628L);
        root.putArray("data").addObject().put("b64_json", b64);
        ObjectNode usage = root.putObject("usage");
        usage.put("total_tokens", 100);
        usage.put("input_tokens", 50);
        usage.put("output_tokens", 50);
        ObjectNode details = usage.putObject("input_tokens_details");
        details.put("text_tokens", 10);
        details.put("image_tokens", 40);
        return body(root);
    }

    /**
     * OpenAI's error envelope {@code {"error":{"message","type","param","code"}}}. {@code param} and
     * {@code code} may be null and are then sent as JSON {@code null}, as OpenAI does.
     */
    public static String error(String message, String type, String param, String code) {
        ObjectNode root = MAPPER.createObjectNode();
        ObjectNode error = root.putObject("error");
        error.put("message", message);
        error.put("type", type);
        error.put("param", param);
        error.put("code", code);
        return body(root);
    }

    /** Frames one JSON document as an SSE data event: {@code data: <json>\n\n}. */
    public static String sseData(JsonNode json) {
        return "data: " + compact(json) + "\n\n";
    }

    private static ObjectNode chatCompletionEnvelope(String model, ObjectNode message, String finishReason) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("id", CHAT_COMPLETION_ID);
        root.put("object", "chat.completion");
        root.put("created", CREATED);
        root.put("model", model);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        choice.set("message", message);
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason);
        root.set("usage", chatUsage());
        root.put("service_tier", SERVICE_TIER);
        root.put("system_fingerprint", SYSTEM_FINGERPRINT);
        return root;
    }

    private static ObjectNode streamChunk(String model, boolean includeUsage, ObjectNode delta, String finishReason) {
        ObjectNode chunk = chunkEnvelope(model);
        ObjectNode choice = chunk.putArray("choices").addObject();
        choice.put("index", 0);
        choice.set("delta", delta);
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason);
        if (includeUsage) {
            // With include_usage, OpenAI sends "usage": null on every chunk but the last.
            chunk.putNull("usage");
        }
        return chunk;
    }

    private static ObjectNode usageChunk(String model) {
        ObjectNode chunk = chunkEnvelope(model);
        chunk.putArray("choices");
        chunk.set("usage", chatUsage());
        return chunk;
    }

    private static ObjectNode chunkEnvelope(String model) {
        ObjectNode chunk = MAPPER.createObjectNode();
        chunk.put("id", CHAT_COMPLETION_ID);
        chunk.put("object", "chat.completion.chunk");
        chunk.put("created", CREATED);
        chunk.put("model", model);
        chunk.put("service_tier", SERVICE_TIER);
        chunk.put("system_fingerprint", SYSTEM_FINGERPRINT);
        return chunk;
    }

    private static ObjectNode chatUsage() {
        ObjectNode usage = MAPPER.createObjectNode();
        usage.put("prompt_tokens", PROMPT_TOKENS);
        usage.put("completion_tokens", COMPLETION_TOKENS);
        usage.put("total_tokens", TOTAL_TOKENS);
        ObjectNode promptDetails = usage.putObject("prompt_tokens_details");
        promptDetails.put("cached_tokens", 0);
        promptDetails.put("audio_tokens", 0);
        ObjectNode completionDetails = usage.putObject("completion_tokens_details");
        completionDetails.put("reasoning_tokens", 0);
        completionDetails.put("audio_tokens", 0);
        completionDetails.put("accepted_prediction_tokens", 0);
        completionDetails.put("rejected_prediction_tokens", 0);
        return usage;
    }

    /** Non-streamed bodies are pretty-printed, as OpenAI sends them. */
    private static String body(JsonNode json) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Stream chunks must be single-line: a newline would end the SSE data field. */
    private static String compact(JsonNode json) {
        try {
            return MAPPER.writeValueAsString(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
