package io.switchboard.provider.anthropic;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.api.ApiException;
import io.switchboard.api.ChatChoice;
import io.switchboard.api.ChatCompletionRequest;
import io.switchboard.api.ChatCompletionResponse;
import io.switchboard.api.ChatMessage;
import io.switchboard.api.ChatResponseMessage;
import io.switchboard.api.ChatTool;
import io.switchboard.api.ErrorDetail;
import io.switchboard.api.FunctionCall;
import io.switchboard.api.ToolCall;
import io.switchboard.api.Usage;
import io.switchboard.provider.ModelInfo;
import io.switchboard.provider.ProviderException;
import io.switchboard.provider.http.UpstreamErrorParser;
import io.switchboard.provider.http.UpstreamErrors;
import io.switchboard.provider.sse.SseEvent;

import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Pure translations between OpenAI's chat format and Anthropic's Messages API: request out,
 * response, errors, stop reasons and the model list back.
 *
 * <p>Anthropic's side is handled as Jackson trees rather than records. Its content blocks are an
 * open union (text, image, document, tool_use, tool_result, thinking, server-tool blocks, and more
 * with each release): a tree lets this code read only the fields it maps and pass over block types
 * it does not know, keeps "absent" apart from "null" in what it writes, and is exactly what the
 * golden tests compare against Anthropic's documented bodies.
 */
final class AnthropicMapper {

    /** The {@code owned_by} of every model this adapter lists. */
    static final String OWNER = "anthropic";

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String UNSUPPORTED_PARAMETER = "unsupported_parameter";
    private static final String UNSUPPORTED_VALUE = "unsupported_value";

    /** Extra request fields this mapper translates, or refuses, or ignores on purpose without a note. */
    private static final Set<String> HANDLED_EXTRAS = Set.of(
            "user",
            "safety_identifier",
            "parallel_tool_calls",
            "top_k",
            "response_format",
            "logprobs",
            "top_logprobs",
            "modalities",
            "audio",
            "functions",
            "function_call");

    private AnthropicMapper() {}

    /**
     * The body of {@code POST /v1/messages} for an OpenAI chat request.
     *
     * @param stream whether to ask for an event stream (the provider decides, not the client's flag)
     * @throws ApiException (400) for what Anthropic cannot do and must not be silently ignored
     */
    static AnthropicRequest toMessagesRequest(
            ChatCompletionRequest request,
            boolean stream,
            AnthropicVersion version,
            int defaultMaxTokens,
            ObjectMapper json) {
        var notes = new ArrayList<String>();
        Map<String, JsonNode> extra = request.extra();
        rejectWhatHasNoEquivalent(request, extra);

        var body = NODES.objectNode();
        body.put("model", request.model());
        body.put("max_tokens", request.tokenLimit() != null ? request.tokenLimit() : defaultMaxTokens);

        var system = new ArrayList<String>();
        var turns = new ArrayList<Turn>();
        List<ChatMessage> messages = request.messages() != null ? request.messages() : List.of();
        for (int i = 0; i < messages.size(); i++) {
            ChatMessage message = messages.get(i);
            String path = "messages[" + i + "]";
            switch (String.valueOf(message.role())) {
                case "system", "developer" -> {
                    // Anthropic has one top-level system prompt; every system turn joins it, in order.
                    String text = message.text();
                    if (!text.isEmpty()) {
                        system.add(text);
                    }
                }
                case "user" -> append(turns, "user", userBlocks(message, path));
                case "assistant" -> append(turns, "assistant", assistantBlocks(message, path, json));
                case "tool" -> append(turns, "user", List.of(toolResult(message)));
                case "function" ->
                    throw unsupported(
                            "Role 'function' (OpenAI's deprecated functions API) cannot be"
                                    + " sent to Anthropic models; use 'tools' and role 'tool'.",
                            path + ".role",
                            UNSUPPORTED_VALUE);
                default ->
                    throw unsupported(
                            "Role '" + message.role() + "' cannot be sent to Anthropic models.",
                            path + ".role",
                            UNSUPPORTED_VALUE);
            }
        }
        if (!system.isEmpty()) {
            body.put("system", String.join("\n\n", system));
        }
        ArrayNode wireMessages = body.putArray("messages");
        for (Turn turn : turns) {
            wireMessages.add(turn.toWire());
        }

        boolean hasTools = request.tools() != null && !request.tools().isEmpty();
        if (hasTools) {
            body.set("tools", tools(request.tools()));
            ObjectNode toolChoice = toolChoice(request.toolChoice(), extra.get("parallel_tool_calls"));
            if (toolChoice != null) {
                body.set("tool_choice", toolChoice);
            }
        }

        ArrayNode stopSequences = stopSequences(request.stop());
        if (stopSequences != null) {
            body.set("stop_sequences", stopSequences);
        }
        sampling(body, request, extra.get("top_k"), version, notes);

        String user = text(extra.get("user"));
        if (user == null) {
            user = text(extra.get("safety_identifier"));
        }
        if (user != null) {
            body.putObject("metadata").put("user_id", user);
        }
        responseFormat(body, extra.get("response_format"), notes);
        if (stream) {
            body.put("stream", true);
        }
        for (String field : extra.keySet()) {
            if (!HANDLED_EXTRAS.contains(field)) {
                notes.add(field + " (no Anthropic equivalent)");
            }
        }
        return new AnthropicRequest(body, notes);
    }

    /** The parameters whose silent loss would hand the client something other than what it asked for. */
    private static void rejectWhatHasNoEquivalent(ChatCompletionRequest request, Map<String, JsonNode> extra) {
        if (request.n() != null && request.n() > 1) {
            throw unsupported(
                    "n > 1 is not supported by Anthropic models: they return one choice per request." + " Send "
                            + request.n() + " requests instead.",
                    "n",
                    UNSUPPORTED_VALUE);
        }
        JsonNode logprobs = extra.get("logprobs");
        JsonNode topLogprobs = extra.get("top_logprobs");
        if ((logprobs != null && logprobs.asBoolean(false))
                || (topLogprobs != null && !topLogprobs.isNull() && topLogprobs.asInt(0) > 0)) {
            throw unsupported(
                    "logprobs are not available from Anthropic models.",
                    logprobs != null && logprobs.asBoolean(false) ? "logprobs" : "top_logprobs",
                    UNSUPPORTED_PARAMETER);
        }
        JsonNode modalities = extra.get("modalities");
        JsonNode audio = extra.get("audio");
        boolean wantsAudio = audio != null && !audio.isNull();
        if (modalities != null && modalities.isArray()) {
            for (JsonNode modality : modalities) {
                wantsAudio |= "audio".equals(modality.asText());
            }
        }
        if (wantsAudio) {
            throw unsupported(
                    "Audio output is not available from Anthropic models.",
                    audio != null && !audio.isNull() ? "audio" : "modalities",
                    UNSUPPORTED_PARAMETER);
        }
        for (String legacy : List.of("functions", "function_call")) {
            JsonNode value = extra.get(legacy);
            if (value != null && !value.isNull()) {
                throw unsupported(
                        "'" + legacy + "' (OpenAI's deprecated functions API) is not translated for"
                                + " Anthropic models; use 'tools' and 'tool_choice'.",
                        legacy,
                        UNSUPPORTED_PARAMETER);
            }
        }
    }

    private static void sampling(
            ObjectNode body,
            ChatCompletionRequest request,
            JsonNode topK,
            AnthropicVersion version,
            List<String> notes) {
        boolean sendTopK = topK != null && !topK.isNull();
        if (!version.acceptsSampling()) {
            // 2026-10-21 answers any of these with a 400, even at default values.
            String why = " (anthropic-version " + version + " does not accept it)";
            if (request.temperature() != null) {
                notes.add("temperature" + why);
            }
            if (request.topP() != null) {
                notes.add("top_p" + why);
            }
            if (sendTopK) {
                notes.add("top_k" + why);
            }
            return;
        }
        if (request.temperature() != null) {
            double temperature = request.temperature();
            if (temperature > 1) {
                // OpenAI's range is 0..2, Anthropic's 0..1: keep the common range's meaning, cap the rest.
                notes.add("temperature " + temperature + " (capped at Anthropic's maximum, 1.0)");
                temperature = 1.0;
            }
            body.put("temperature", temperature);
        }
        if (request.topP() != null) {
            body.put("top_p", request.topP());
        }
        if (sendTopK) {
            if (topK.isIntegralNumber()) {
                body.put("top_k", topK.asInt());
            } else {
                notes.add("top_k (not an integer)");
            }
        }
    }

    private static void responseFormat(ObjectNode body, JsonNode format, List<String> notes) {
        if (format == null || format.isNull()) {
            return;
        }
        String type = format.path("type").asText("");
        switch (type) {
            case "text" -> {
                // Anthropic's default.
            }
            case "json_schema" -> {
                JsonNode schema = format.path("json_schema").path("schema");
                if (!schema.isObject()) {
                    throw unsupported(
                            "response_format of type 'json_schema' needs a 'json_schema.schema' object.",
                            "response_format.json_schema.schema",
                            UNSUPPORTED_VALUE);
                }
                ObjectNode outputFormat = body.putObject("output_config").putObject("format");
                outputFormat.put("type", "json_schema");
                outputFormat.set("schema", schema.deepCopy());
            }
            case "json_object" ->
                notes.add("response_format json_object (Anthropic has no schema-less JSON mode;"
                        + " the prompt must ask for JSON)");
            default ->
                throw unsupported(
                        "response_format of type '" + type + "' has no Anthropic equivalent.",
                        "response_format",
                        UNSUPPORTED_VALUE);
        }
    }

    private static List<ObjectNode> userBlocks(ChatMessage message, String path) {
        JsonNode content = message.content();
        var blocks = new ArrayList<ObjectNode>();
        if (content == null || content.isNull()) {
            return blocks;
        }
        if (content.isTextual()) {
            addText(blocks, content.textValue());
            return blocks;
        }
        for (int j = 0; j < content.size(); j++) {
            JsonNode part = content.get(j);
            String partPath = path + ".content[" + j + "]";
            switch (part.path("type").asText("")) {
                case "text" -> addText(blocks, part.path("text").asText(""));
                case "image_url" -> blocks.add(imageBlock(part.get("image_url"), partPath));
                case "file" -> blocks.add(documentBlock(part.path("file"), partPath));
                case "input_audio" ->
                    throw unsupported("Audio input is not supported by Anthropic models.", partPath, UNSUPPORTED_VALUE);
                default ->
                    throw unsupported(
                            "Content part type '" + part.path("type").asText()
                                    + "' is not supported by Anthropic models.",
                            partPath,
                            UNSUPPORTED_VALUE);
            }
        }
        return blocks;
    }

    private static List<ObjectNode> assistantBlocks(ChatMessage message, String path, ObjectMapper json) {
        if (message.extra().containsKey("function_call")
                && !message.extra().get("function_call").isNull()) {
            throw unsupported(
                    "'function_call' (OpenAI's deprecated functions API) is not translated for Anthropic"
                            + " models; use 'tool_calls'.",
                    path + ".function_call",
                    UNSUPPORTED_PARAMETER);
        }
        var blocks = new ArrayList<ObjectNode>();
        JsonNode content = message.content();
        if (content != null && content.isTextual()) {
            addText(blocks, content.textValue());
        } else if (content != null && content.isArray()) {
            for (int j = 0; j < content.size(); j++) {
                JsonNode part = content.get(j);
                String type = part.path("type").asText("");
                if ("text".equals(type)) {
                    addText(blocks, part.path("text").asText(""));
                } else if (!"refusal".equals(type)) {
                    // A refusal part has no Anthropic block; anything else has no place in an assistant turn.
                    throw unsupported(
                            "Content part type '" + type + "' is not supported in an assistant message.",
                            path + ".content[" + j + "]",
                            UNSUPPORTED_VALUE);
                }
            }
        }
        List<ToolCall> calls = message.toolCalls() != null ? message.toolCalls() : List.of();
        for (int k = 0; k < calls.size(); k++) {
            ToolCall call = calls.get(k);
            String callPath = path + ".tool_calls[" + k + "]";
            if (call.type() != null && !"function".equals(call.type())) {
                throw unsupported(
                        "Tool calls of type '" + call.type() + "' are not supported by Anthropic models.",
                        callPath + ".type",
                        UNSUPPORTED_VALUE);
            }
            FunctionCall function = call.function();
            var block = NODES.objectNode();
            block.put("type", "tool_use");
            block.put("id", call.id());
            block.put("name", function != null ? function.name() : null);
            block.set("input", toolInput(function != null ? function.arguments() : null, callPath, json));
            blocks.add(block);
        }
        return blocks;
    }

    /** OpenAI carries arguments as a JSON string; Anthropic wants the object itself. */
    private static JsonNode toolInput(String arguments, String path, ObjectMapper json) {
        if (arguments == null || arguments.isBlank()) {
            return NODES.objectNode();
        }
        try {
            JsonNode input = json.readTree(arguments);
            if (input != null && input.isObject()) {
                return input;
            }
        } catch (JsonProcessingException notJson) {
            // Reported below with the parameter's path.
        }
        throw ApiException.badRequest(
                "Invalid '" + path + ".function.arguments': Anthropic models need the arguments"
                        + " of a tool call to be a JSON object.",
                path + ".function.arguments",
                "invalid_value");
    }

    private static ObjectNode toolResult(ChatMessage message) {
        var block = NODES.objectNode();
        block.put("type", "tool_result");
        block.put("tool_use_id", message.toolCallId());
        String text = message.text();
        if (!text.isEmpty()) {
            block.put("content", text);
        }
        return block;
    }

    private static ObjectNode imageBlock(JsonNode imageUrl, String path) {
        String url = imageUrl == null ? null : imageUrl.isTextual() ? imageUrl.textValue() : text(imageUrl.get("url"));
        if (url == null) {
            throw ApiException.badRequest(
                    "Missing required parameter: '" + path + ".image_url.url'.",
                    path + ".image_url.url",
                    "missing_required_parameter");
        }
        var block = NODES.objectNode();
        block.put("type", "image");
        ObjectNode source = block.putObject("source");
        String lower = url.toLowerCase(Locale.ROOT);
        if (lower.startsWith("data:")) {
            DataUrl data = DataUrl.parse(url);
            if (data == null || !data.mediaType().startsWith("image/")) {
                throw ApiException.badRequest(
                        "Invalid '" + path + ".image_url.url': expected a base64 data URL of an"
                                + " image (data:image/png;base64,...).",
                        path + ".image_url.url",
                        "invalid_value");
            }
            source.put("type", "base64");
            // Anthropic knows JPEG only by its registered name; "image/jpg" is a common misnomer.
            source.put("media_type", "image/jpg".equals(data.mediaType()) ? "image/jpeg" : data.mediaType());
            source.put("data", data.data());
        } else if (lower.startsWith("https://") || lower.startsWith("http://")) {
            source.put("type", "url");
            source.put("url", url);
        } else {
            throw ApiException.badRequest(
                    "Invalid '" + path + ".image_url.url': expected an http(s) URL or a base64" + " data URL.",
                    path + ".image_url.url",
                    "invalid_value");
        }
        return block;
    }

    private static ObjectNode documentBlock(JsonNode file, String path) {
        String fileData = text(file.get("file_data"));
        DataUrl data = fileData != null ? DataUrl.parse(fileData) : null;
        if (data == null || !"application/pdf".equals(data.mediaType())) {
            throw unsupported(
                    "File parts reach Anthropic models only as PDF data URLs in 'file_data'"
                            + " (data:application/pdf;base64,...); uploaded file ids have no equivalent.",
                    path,
                    UNSUPPORTED_VALUE);
        }
        var block = NODES.objectNode();
        block.put("type", "document");
        ObjectNode source = block.putObject("source");
        source.put("type", "base64");
        source.put("media_type", data.mediaType());
        source.put("data", data.data());
        return block;
    }

    private static void addText(List<ObjectNode> blocks, String text) {
        // Anthropic rejects empty text blocks, and an empty string says nothing anyway.
        if (text != null && !text.isEmpty()) {
            var block = NODES.objectNode();
            block.put("type", "text");
            block.put("text", text);
            blocks.add(block);
        }
    }

    /** Anthropic wants user and assistant to alternate: consecutive turns of one role become one. */
    private static void append(List<Turn> turns, String role, List<ObjectNode> blocks) {
        if (blocks.isEmpty()) {
            return;
        }
        Turn last = turns.isEmpty() ? null : turns.get(turns.size() - 1);
        if (last != null && last.role.equals(role)) {
            last.blocks.addAll(blocks);
        } else {
            turns.add(new Turn(role, blocks));
        }
    }

    private static ArrayNode tools(List<ChatTool> tools) {
        ArrayNode wire = NODES.arrayNode();
        for (int i = 0; i < tools.size(); i++) {
            ChatTool tool = tools.get(i);
            if (!"function".equals(tool.type()) || tool.function() == null) {
                throw unsupported(
                        "Tools of type '" + tool.type() + "' are not supported by Anthropic models; only"
                                + " 'function' tools are translated.",
                        "tools[" + i + "].type",
                        UNSUPPORTED_VALUE);
            }
            ObjectNode entry = wire.addObject();
            entry.put("name", tool.function().name());
            if (tool.function().description() != null) {
                entry.put("description", tool.function().description());
            }
            JsonNode parameters = tool.function().parameters();
            if (parameters != null && parameters.isObject()) {
                entry.set("input_schema", parameters.deepCopy());
            } else {
                // OpenAI allows a function without parameters; Anthropic requires an object schema.
                ObjectNode empty = entry.putObject("input_schema");
                empty.put("type", "object");
                empty.putObject("properties");
            }
        }
        return wire;
    }

    private static ObjectNode toolChoice(JsonNode choice, JsonNode parallelToolCalls) {
        ObjectNode wire = null;
        if (choice != null && !choice.isNull()) {
            wire = NODES.objectNode();
            if (choice.isTextual()) {
                switch (choice.textValue()) {
                    case "auto" -> wire.put("type", "auto");
                    case "none" -> wire.put("type", "none");
                    case "required" -> wire.put("type", "any");
                    default ->
                        throw unsupported(
                                "tool_choice '" + choice.textValue() + "' has no Anthropic equivalent.",
                                "tool_choice",
                                UNSUPPORTED_VALUE);
                }
            } else if ("function".equals(choice.path("type").asText())
                    && choice.path("function").path("name").isTextual()) {
                wire.put("type", "tool");
                wire.put("name", choice.path("function").path("name").textValue());
            } else {
                throw unsupported(
                        "tool_choice of type '" + choice.path("type").asText() + "' has no Anthropic" + " equivalent.",
                        "tool_choice",
                        UNSUPPORTED_VALUE);
            }
        }
        if (parallelToolCalls != null && parallelToolCalls.isBoolean() && !parallelToolCalls.booleanValue()) {
            if (wire == null) {
                wire = NODES.objectNode().put("type", "auto");
            }
            if (!"none".equals(wire.path("type").asText())) {
                wire.put("disable_parallel_tool_use", true);
            }
        }
        return wire;
    }

    private static ArrayNode stopSequences(JsonNode stop) {
        if (stop == null || stop.isNull()) {
            return null;
        }
        ArrayNode sequences = NODES.arrayNode();
        if (stop.isTextual()) {
            sequences.add(stop.textValue());
        } else {
            for (JsonNode item : stop) {
                if (item.isTextual()) {
                    sequences.add(item.textValue());
                }
            }
        }
        return sequences.isEmpty() ? null : sequences;
    }

    /** A {@code chat.completion} for an Anthropic {@code message}; {@code created} is the caller's clock. */
    static ChatCompletionResponse toChatCompletion(JsonNode message, long created) {
        if (message == null || !message.path("content").isArray()) {
            throw new IllegalArgumentException("not an Anthropic message: no \"content\" array");
        }
        var text = new StringBuilder();
        boolean hasText = false;
        var calls = new ArrayList<ToolCall>();
        for (JsonNode block : message.path("content")) {
            switch (block.path("type").asText("")) {
                case "text" -> {
                    // Blocks are consecutive pieces of one answer (citations split them mid-sentence).
                    text.append(block.path("text").asText(""));
                    hasText = true;
                }
                case "tool_use" ->
                    calls.add(ToolCall.function(
                            text(block.get("id")), text(block.get("name")), arguments(block.get("input"))));
                default -> {
                    // thinking, redacted_thinking, server-tool blocks: chat completions have no place for them.
                }
            }
        }
        var choice = new ChatChoice(
                0,
                ChatResponseMessage.assistant(hasText ? text.toString() : null, calls.isEmpty() ? null : calls),
                finishReason(text(message.get("stop_reason"))));
        return new ChatCompletionResponse(
                text(message.get("id")),
                ChatCompletionResponse.OBJECT,
                created,
                text(message.get("model")),
                List.of(choice),
                usage(message.get("usage"), null),
                Map.of());
    }

    /** A tool call's {@code input} object as OpenAI's arguments string. */
    static String arguments(JsonNode input) {
        return input == null || input.isNull() || input.isMissingNode() ? "{}" : input.toString();
    }

    /**
     * OpenAI's usage from Anthropic's. Anthropic counts cache reads and writes apart from
     * {@code input_tokens}; OpenAI's {@code prompt_tokens} includes cached tokens, so they are added
     * in, cache reads are reported as {@code prompt_tokens_details.cached_tokens}, and cache writes
     * (which cost more than plain input) as the extensions {@code cache_creation_tokens} and, of
     * those, the one-hour writes {@code cache_creation_1h_tokens}, so cost can be computed exactly.
     *
     * @param outputTokens overrides {@code usage.output_tokens} (a stream reports it at the end)
     */
    static Usage usage(JsonNode usage, Long outputTokens) {
        if (usage == null || !usage.isObject()) {
            return null;
        }
        long cacheRead = usage.path("cache_read_input_tokens").asLong(0);
        long prompt = usage.path("input_tokens").asLong(0)
                + usage.path("cache_creation_input_tokens").asLong(0)
                + cacheRead;
        long completion = outputTokens != null
                ? outputTokens
                : usage.path("output_tokens").asLong(0);
        Map<String, JsonNode> details = Map.of();
        if (usage.path("cache_read_input_tokens").isNumber()
                || usage.path("cache_creation_input_tokens").isNumber()) {
            details = Map.of(
                    "prompt_tokens_details",
                    NODES.objectNode()
                            .put("cached_tokens", cacheRead)
                            .put(
                                    "cache_creation_tokens",
                                    usage.path("cache_creation_input_tokens").asLong(0))
                            .put(
                                    "cache_creation_1h_tokens",
                                    usage.path("cache_creation")
                                            .path("ephemeral_1h_input_tokens")
                                            .asLong(0)));
        }
        return new Usage(prompt, completion, prompt + completion, details);
    }

    /** OpenAI's {@code finish_reason} for Anthropic's {@code stop_reason}. */
    static String finishReason(String stopReason) {
        if (stopReason == null) {
            return "stop";
        }
        return switch (stopReason) {
            case "max_tokens", "model_context_window_exceeded" -> "length";
            case "tool_use" -> "tool_calls";
            case "refusal" -> "content_filter";
            // end_turn, stop_sequence, pause_turn, and whatever comes next: the model stopped.
            default -> "stop";
        };
    }

    /** Reads Anthropic's error body; anything else is read the way OpenAI-compatible errors are. */
    static UpstreamErrorParser errorParser(ObjectMapper json) {
        UpstreamErrorParser fallback = UpstreamErrors.openAiParser(json);
        return (status, body) -> {
            JsonNode root = UpstreamErrors.readTree(json, body);
            if (root != null
                    && root.path("error").isObject()
                    && "error".equals(root.path("type").asText())) {
                return errorDetail(root.get("error"), status);
            }
            return fallback.parse(status, body);
        };
    }

    /**
     * OpenAI's error detail for Anthropic's {@code error} object. The type becomes the nearest
     * OpenAI type; Anthropic's own type rides in {@code code} when it says more.
     */
    static ErrorDetail errorDetail(JsonNode error, int status) {
        String anthropicType = text(error.get("type"));
        String message = text(error.get("message"));
        if (message == null || message.isEmpty()) {
            message = anthropicType != null ? anthropicType : "HTTP " + status;
        }
        String type = openAiErrorType(anthropicType);
        String code = anthropicType != null && !anthropicType.equals(type) ? anthropicType : null;
        return new ErrorDetail(message, type, null, code);
    }

    private static String openAiErrorType(String anthropicType) {
        if (anthropicType == null) {
            return null;
        }
        return switch (anthropicType) {
            case "invalid_request_error", "request_too_large" -> ErrorDetail.INVALID_REQUEST;
            case "api_error", "overloaded_error", "timeout_error" -> ErrorDetail.API_ERROR;
            // authentication_error, permission_error, not_found_error, rate_limit_error, billing_error …
            default -> anthropicType;
        };
    }

    /**
     * The HTTP status Anthropic sends with an error of this type, for errors that arrive inside a
     * stream (where there is no status): Anthropic's errors page, "HTTP errors".
     */
    static int statusOf(String anthropicType) {
        if (anthropicType == null) {
            return 500;
        }
        return switch (anthropicType) {
            case "invalid_request_error" -> 400;
            case "authentication_error" -> 401;
            case "billing_error" -> 402;
            case "permission_error" -> 403;
            case "not_found_error" -> 404;
            case "request_too_large" -> 413;
            case "rate_limit_error" -> 429;
            case "timeout_error" -> 504;
            case "overloaded_error" -> 529;
            default -> 500;
        };
    }

    /** An {@code error} event of a stream: the status Anthropic would have sent decides the kind (529 is 5xx). */
    static ProviderException streamError(String provider, JsonNode error) {
        int status = statusOf(error.path("type").asText(null));
        return UpstreamErrors.fromStatus(provider, status, errorDetail(error, status), null);
    }

    /** A stream event's data, which must be a JSON object; anything else is a MALFORMED failure. */
    static JsonNode eventData(String provider, ObjectMapper json, SseEvent event) {
        try {
            JsonNode data = json.readTree(event.data());
            if (data == null || !data.isObject()) {
                throw new IOException("event data is not a JSON object");
            }
            return data;
        } catch (IOException e) {
            throw new ProviderException(
                    ProviderException.Kind.MALFORMED,
                    provider,
                    "Unreadable stream event from " + provider
                            + (event.event() != null ? " (" + event.event() + ")" : ""),
                    e);
        }
    }

    /** One page of {@code GET /v1/models}. */
    static AnthropicModelPage modelPage(JsonNode root) throws IOException {
        JsonNode data = root == null ? null : root.get("data");
        if (data == null || !data.isArray()) {
            throw new IOException("no \"data\" array in the model list");
        }
        var models = new ArrayList<ModelInfo>();
        for (JsonNode model : data) {
            String id = text(model.get("id"));
            if (id != null && !id.isEmpty()) {
                models.add(ModelInfo.of(id, epochSeconds(text(model.get("created_at"))), OWNER));
            }
        }
        return new AnthropicModelPage(models, root.path("has_more").asBoolean(false), text(root.get("last_id")));
    }

    /** RFC 3339 to epoch seconds; 0 (OpenAI's "unknown") when absent or unreadable. */
    static long epochSeconds(String rfc3339) {
        if (rfc3339 == null) {
            return 0;
        }
        try {
            return OffsetDateTime.parse(rfc3339).toEpochSecond();
        } catch (DateTimeParseException unreadable) {
            return 0;
        }
    }

    private static ApiException unsupported(String message, String param, String code) {
        return ApiException.badRequest(message, param, code);
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode() ? null : node.asText();
    }

    /** One message of Anthropic's alternating conversation, collecting content blocks until written. */
    private static final class Turn {

        private final String role;
        private final List<ObjectNode> blocks;

        Turn(String role, List<ObjectNode> blocks) {
            this.role = role;
            this.blocks = new ArrayList<>(blocks);
        }

        /** A lone text block is written as plain string content, the way Anthropic's own examples are. */
        ObjectNode toWire() {
            ObjectNode message = NODES.objectNode();
            message.put("role", role);
            if (blocks.size() == 1
                    && "text".equals(blocks.get(0).path("type").asText())
                    && blocks.get(0).size() == 2) {
                message.put("content", blocks.get(0).path("text").asText());
            } else {
                ArrayNode content = message.putArray("content");
                blocks.forEach(content::add);
            }
            return message;
        }
    }

    /** {@code data:<media type>[;params];base64,<data>}; only base64 data URLs are of use here. */
    private record DataUrl(String mediaType, String data) {

        static DataUrl parse(String url) {
            int comma = url.indexOf(',');
            if (!url.regionMatches(true, 0, "data:", 0, 5) || comma < 0) {
                return null;
            }
            String[] header = url.substring(5, comma).split(";");
            if (header.length < 2 || !"base64".equalsIgnoreCase(header[header.length - 1].trim())) {
                return null;
            }
            String mediaType = header[0].trim().toLowerCase(Locale.ROOT);
            String data = url.substring(comma + 1);
            return mediaType.isEmpty() || data.isEmpty() ? null : new DataUrl(mediaType, data);
        }
    }
}
