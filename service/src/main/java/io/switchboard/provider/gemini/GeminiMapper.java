package io.switchboard.provider.gemini;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.switchboard.api.ChatChoice;
import io.switchboard.api.ChatCompletionRequest;
import io.switchboard.api.ChatCompletionResponse;
import io.switchboard.api.ChatMessage;
import io.switchboard.api.ChatResponseMessage;
import io.switchboard.api.ChatTool;
import io.switchboard.api.Embedding;
import io.switchboard.api.EmbeddingRequest;
import io.switchboard.api.EmbeddingResponse;
import io.switchboard.api.EmbeddingUsage;
import io.switchboard.api.ErrorDetail;
import io.switchboard.api.FunctionCall;
import io.switchboard.api.ToolCall;
import io.switchboard.api.Usage;
import io.switchboard.provider.Capability;
import io.switchboard.provider.ModelInfo;
import io.switchboard.provider.ProviderException;
import io.switchboard.provider.http.UpstreamErrorParser;
import io.switchboard.provider.http.UpstreamErrors;

import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Pure translation between OpenAI's wire shapes and Google's Generative Language API
 * ({@code generateContent}, {@code embedContent}, {@code models.list}, error bodies). No I/O and
 * no state: every function takes what it needs and returns a new value.
 */
final class GeminiMapper {

    static final String OWNER = "google";

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final Set<String> CONTENT_FILTER_REASONS = Set.of(
            "SAFETY",
            "RECITATION",
            "BLOCKLIST",
            "PROHIBITED_CONTENT",
            "SPII",
            "IMAGE_SAFETY",
            "IMAGE_PROHIBITED_CONTENT",
            "IMAGE_RECITATION");
    private static final Map<String, String> IMAGE_TYPES = Map.of(
            "png",
            "image/png",
            "jpg",
            "image/jpeg",
            "jpeg",
            "image/jpeg",
            "gif",
            "image/gif",
            "webp",
            "image/webp",
            "heic",
            "image/heic",
            "heif",
            "image/heif");
    /** What an http(s) image URL without a known extension is declared as; Gemini requires a type. */
    private static final String DEFAULT_IMAGE_TYPE = "image/jpeg";

    private GeminiMapper() {}

    // ---------------------------------------------------------------- chat: OpenAI request → Gemini

    /**
     * The {@code GenerateContentRequest} for an OpenAI chat request. System and developer messages
     * become {@code systemInstruction}; consecutive turns of one role are merged, as Gemini wants
     * the responses to parallel function calls in one turn.
     *
     * @throws ProviderException of kind {@code UNSUPPORTED} for what Gemini cannot express
     */
    static ObjectNode generateContentRequest(ChatCompletionRequest request, ObjectMapper mapper, String provider) {
        var contents = JSON.arrayNode();
        var systemParts = JSON.arrayNode();
        // tool_call_id → function name; a later assistant turn may reuse an id, and then wins.
        var functionNames = new HashMap<String, String>();
        List<ChatMessage> messages = request.messages() == null ? List.of() : request.messages();
        for (int i = 0; i < messages.size(); i++) {
            ChatMessage message = messages.get(i);
            String path = "messages[" + i + "]";
            switch (message.role()) {
                case "system", "developer" -> addTextParts(message.content(), systemParts);
                case "user" -> append(contents, "user", userParts(message.content(), path, provider));
                case "assistant" ->
                    append(contents, "model", modelParts(message, path, mapper, provider, functionNames));
                case "tool" ->
                    append(
                            contents,
                            "user",
                            functionResponse(toolName(message, functionNames, path, provider), message, mapper));
                case "function" -> append(contents, "user", functionResponse(message.name(), message, mapper));
                default ->
                    throw unsupported(provider, path + ".role: '" + message.role() + "' has no Gemini equivalent");
            }
        }
        var body = JSON.objectNode();
        if (!systemParts.isEmpty()) {
            body.putObject("systemInstruction").set("parts", systemParts);
        }
        body.set("contents", contents);
        ArrayNode declarations = functionDeclarations(request.tools(), provider);
        if (!declarations.isEmpty()) {
            body.putArray("tools").addObject().set("functionDeclarations", declarations);
            ObjectNode callingConfig = functionCallingConfig(request.toolChoice(), provider);
            if (callingConfig != null) {
                body.putObject("toolConfig").set("functionCallingConfig", callingConfig);
            }
        }
        ObjectNode generationConfig = generationConfig(request, provider);
        if (!generationConfig.isEmpty()) {
            body.set("generationConfig", generationConfig);
        }
        return body;
    }

    /** Adds {@code parts} as a turn of {@code role}, or to the previous turn when it has the same role. */
    private static void append(ArrayNode contents, String role, ArrayNode parts) {
        if (parts.isEmpty()) {
            parts.addObject().put("text", ""); // Gemini refuses a turn without parts
        }
        if (!contents.isEmpty()) {
            JsonNode last = contents.get(contents.size() - 1);
            if (role.equals(last.path("role").asText())) {
                ((ArrayNode) last.get("parts")).addAll(parts);
                return;
            }
        }
        var content = contents.addObject();
        content.put("role", role);
        content.set("parts", parts);
    }

    private static void addTextParts(JsonNode content, ArrayNode parts) {
        if (content == null || content.isNull()) {
            return;
        }
        if (content.isTextual()) {
            parts.addObject().put("text", content.textValue());
            return;
        }
        for (JsonNode part : content) {
            JsonNode text = part.get("text");
            if (text != null && text.isTextual()) {
                parts.addObject().put("text", text.textValue());
            }
        }
    }

    private static ArrayNode userParts(JsonNode content, String path, String provider) {
        var parts = JSON.arrayNode();
        if (content == null || content.isNull()) {
            return parts;
        }
        if (content.isTextual()) {
            parts.addObject().put("text", content.textValue());
            return parts;
        }
        for (int i = 0; i < content.size(); i++) {
            JsonNode part = content.get(i);
            String partPath = path + ".content[" + i + "]";
            String type = part.path("type").asText("");
            switch (type) {
                case "text" -> parts.addObject().put("text", part.path("text").asText(""));
                case "image_url" -> parts.add(imagePart(imageUrl(part.path("image_url")), partPath, provider));
                case "input_audio" -> parts.add(audioPart(part.path("input_audio"), partPath, provider));
                case "file" -> parts.add(filePart(part.path("file"), partPath, provider));
                default ->
                    throw unsupported(
                            provider, partPath + ": content part type '" + type + "' has no Gemini equivalent");
            }
        }
        return parts;
    }

    /** {@code image_url.url}; a few clients send {@code image_url} as the bare string. */
    private static String imageUrl(JsonNode imageUrl) {
        return imageUrl.isTextual()
                ? imageUrl.textValue()
                : imageUrl.path("url").asText(null);
    }

    /**
     * A data: URL goes inline. An http(s) URL goes as {@code fileData} with a type guessed from its
     * extension: the gateway never downloads what a client points at (that would make it a fetcher
     * of arbitrary URLs), so Gemini must be able to fetch the URI itself.
     */
    private static ObjectNode imagePart(String url, String path, String provider) {
        if (url == null || url.isEmpty()) {
            throw unsupported(provider, path + ".image_url.url is missing");
        }
        if (url.startsWith("data:")) {
            return inlineData(url, path, provider);
        }
        String lower = url.toLowerCase(Locale.ROOT);
        if (lower.startsWith("https://") || lower.startsWith("http://") || lower.startsWith("gs://")) {
            var part = JSON.objectNode();
            var fileData = part.putObject("fileData");
            fileData.put("mimeType", guessImageType(url));
            fileData.put("fileUri", url);
            return part;
        }
        throw unsupported(
                provider, path + ".image_url.url: only data:, http(s):// and gs:// URLs can be sent to Gemini");
    }

    private static String guessImageType(String url) {
        String pathPart = url;
        int cut = indexOfAny(pathPart, '?', '#');
        if (cut >= 0) {
            pathPart = pathPart.substring(0, cut);
        }
        int dot = pathPart.lastIndexOf('.');
        int slash = pathPart.lastIndexOf('/');
        if (dot > slash) {
            String type = IMAGE_TYPES.get(pathPart.substring(dot + 1).toLowerCase(Locale.ROOT));
            if (type != null) {
                return type;
            }
        }
        return DEFAULT_IMAGE_TYPE;
    }

    private static int indexOfAny(String text, char first, char second) {
        int a = text.indexOf(first);
        int b = text.indexOf(second);
        return a < 0 ? b : b < 0 ? a : Math.min(a, b);
    }

    /** {@code data:<type>;base64,<data>} → {@code inlineData}. */
    private static ObjectNode inlineData(String dataUrl, String path, String provider) {
        int comma = dataUrl.indexOf(',');
        String meta = comma < 0 ? "" : dataUrl.substring("data:".length(), comma);
        if (comma < 0 || !meta.endsWith(";base64")) {
            throw unsupported(provider, path + ": only base64 data: URLs can be sent to Gemini");
        }
        String type = meta.substring(0, meta.indexOf(';'));
        return inline(type.isEmpty() ? "application/octet-stream" : type, dataUrl.substring(comma + 1));
    }

    private static ObjectNode inline(String mimeType, String base64) {
        var part = JSON.objectNode();
        var data = part.putObject("inlineData");
        data.put("mimeType", mimeType);
        data.put("data", base64);
        return part;
    }

    private static ObjectNode audioPart(JsonNode audio, String path, String provider) {
        String format = audio.path("format").asText("");
        String data = audio.path("data").asText(null);
        if (data == null || !(format.equals("wav") || format.equals("mp3"))) {
            throw unsupported(provider, path + ".input_audio needs data and a format of wav or mp3");
        }
        return inline("audio/" + format, data);
    }

    private static ObjectNode filePart(JsonNode file, String path, String provider) {
        String data = file.path("file_data").asText(null);
        if (data == null) {
            throw unsupported(
                    provider, path + ".file: only inline file_data can be sent to Gemini (file_id has no equivalent)");
        }
        return inlineData(data, path + ".file.file_data", provider);
    }

    /** An assistant turn: its text, then its tool calls as {@code functionCall} parts. */
    private static ArrayNode modelParts(
            ChatMessage message, String path, ObjectMapper mapper, String provider, Map<String, String> functionNames) {
        var parts = JSON.arrayNode();
        JsonNode content = message.content();
        if (content != null && content.isArray()) {
            for (JsonNode part : content) {
                String type = part.path("type").asText("");
                String text = type.equals("refusal")
                        ? part.path("refusal").asText("")
                        : part.path("text").asText(null);
                if (text != null && !text.isEmpty()) {
                    parts.addObject().put("text", text);
                }
            }
        } else if (content != null
                && content.isTextual()
                && !content.textValue().isEmpty()) {
            parts.addObject().put("text", content.textValue());
        }
        if (message.toolCalls() != null) {
            for (int i = 0; i < message.toolCalls().size(); i++) {
                ToolCall call = message.toolCalls().get(i);
                String callPath = path + ".tool_calls[" + i + "]";
                if (call.function() == null || call.function().name() == null) {
                    throw unsupported(provider, callPath + ": only function tool calls can be sent to Gemini");
                }
                if (call.id() != null) {
                    functionNames.put(call.id(), call.function().name());
                }
                parts.add(functionCallPart(
                        call.function().name(),
                        call.function().arguments(),
                        thoughtSignature(call),
                        callPath,
                        mapper,
                        provider));
            }
        }
        JsonNode legacy = message.extra().get("function_call");
        if (legacy != null && legacy.isObject()) {
            parts.add(functionCallPart(
                    legacy.path("name").asText(),
                    legacy.path("arguments").asText(""),
                    null,
                    path + ".function_call",
                    mapper,
                    provider));
        }
        return parts;
    }

    private static ObjectNode functionCallPart(
            String name, String arguments, String signature, String path, ObjectMapper mapper, String provider) {
        JsonNode args;
        if (arguments == null || arguments.isBlank()) {
            args = JSON.objectNode();
        } else {
            try {
                args = strictTree(arguments, mapper);
            } catch (JsonProcessingException e) {
                throw unsupported(provider, path + ".function.arguments is not JSON; Gemini needs an object");
            }
            if (!args.isObject()) {
                throw unsupported(provider, path + ".function.arguments must be a JSON object for Gemini");
            }
        }
        var part = JSON.objectNode();
        var call = part.putObject("functionCall");
        call.put("name", name);
        call.set("args", args);
        if (signature != null) {
            part.put("thoughtSignature", signature);
        }
        return part;
    }

    /** Gemini 3 wants its thought signature back on the call; Google's own OpenAI layer carries it so. */
    private static String thoughtSignature(ToolCall call) {
        JsonNode signature = call.extra()
                .getOrDefault("extra_content", JSON.missingNode())
                .path("google")
                .path("thought_signature");
        return signature.isTextual() ? signature.textValue() : null;
    }

    private static String toolName(
            ChatMessage message, Map<String, String> functionNames, String path, String provider) {
        String name = functionNames.get(message.toolCallId());
        if (name == null) {
            name = message.name();
        }
        if (name == null) {
            throw unsupported(
                    provider,
                    path + ".tool_call_id '" + message.toolCallId()
                            + "' matches no earlier assistant tool call, and Gemini needs the function's name");
        }
        return name;
    }

    /**
     * A tool result. Gemini wants an object: a JSON object result is sent as it is (Gemini reads
     * its {@code output}/{@code error} keys, or takes it whole); anything else goes under {@code output}.
     */
    private static ArrayNode functionResponse(String name, ChatMessage message, ObjectMapper mapper) {
        String text = message.text();
        JsonNode result = parseOrNull(text, mapper);
        ObjectNode response;
        if (result != null && result.isObject()) {
            response = (ObjectNode) result;
        } else {
            response = JSON.objectNode();
            response.set("output", result != null ? result : TextNode.valueOf(text));
        }
        var parts = JSON.arrayNode();
        var functionResponse = parts.addObject().putObject("functionResponse");
        functionResponse.put("name", name);
        functionResponse.set("response", response);
        return parts;
    }

    /** {@code text} as JSON, or null when it is blank or not JSON (a plain-text tool result). */
    private static JsonNode parseOrNull(String text, ObjectMapper mapper) {
        if (text.isBlank()) {
            return null;
        }
        try {
            JsonNode parsed = strictTree(text, mapper);
            return parsed == null || parsed.isMissingNode() ? null : parsed;
        } catch (JsonProcessingException notJson) {
            return null; // plain text: sent as it is, under "output"
        }
    }

    /** Parses all of {@code text}: "42 degrees" is not the number 42 followed by noise. */
    private static JsonNode strictTree(String text, ObjectMapper mapper) throws JsonProcessingException {
        return mapper.readerFor(JsonNode.class)
                .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .readValue(text);
    }

    /** OpenAI's parameters are JSON Schema, so they go as {@code parametersJsonSchema}, unchanged. */
    private static ArrayNode functionDeclarations(List<ChatTool> tools, String provider) {
        var declarations = JSON.arrayNode();
        if (tools == null) {
            return declarations;
        }
        for (int i = 0; i < tools.size(); i++) {
            ChatTool tool = tools.get(i);
            if (!"function".equals(tool.type()) || tool.function() == null) {
                throw unsupported(
                        provider, "tools[" + i + "]: tool type '" + tool.type() + "' has no Gemini equivalent");
            }
            var declaration = declarations.addObject();
            declaration.put("name", tool.function().name());
            if (tool.function().description() != null) {
                declaration.put("description", tool.function().description());
            }
            if (tool.function().parameters() != null
                    && !tool.function().parameters().isNull()) {
                declaration.set("parametersJsonSchema", tool.function().parameters());
            }
        }
        return declarations;
    }

    private static ObjectNode functionCallingConfig(JsonNode toolChoice, String provider) {
        if (toolChoice == null || toolChoice.isNull()) {
            return null;
        }
        var config = JSON.objectNode();
        if (toolChoice.isTextual()) {
            config.put(
                    "mode",
                    switch (toolChoice.textValue()) {
                        case "auto" -> "AUTO";
                        case "none" -> "NONE";
                        case "required" -> "ANY";
                        default ->
                            throw unsupported(
                                    provider, "tool_choice '" + toolChoice.textValue() + "' has no Gemini equivalent");
                    });
            return config;
        }
        String name = toolChoice.path("function").path("name").asText(null);
        if ("function".equals(toolChoice.path("type").asText()) && name != null) {
            config.put("mode", "ANY");
            config.putArray("allowedFunctionNames").add(name);
            return config;
        }
        throw unsupported(
                provider, "tool_choice of type '" + toolChoice.path("type").asText() + "' has no Gemini equivalent");
    }

    private static ObjectNode generationConfig(ChatCompletionRequest request, String provider) {
        var config = JSON.objectNode();
        JsonNode stop = request.stop();
        if (stop != null && stop.isTextual()) {
            config.putArray("stopSequences").add(stop.textValue());
        } else if (stop != null && stop.isArray() && !stop.isEmpty()) {
            config.set("stopSequences", stop);
        }
        if (request.n() != null) {
            config.put("candidateCount", request.n());
        }
        if (request.tokenLimit() != null) {
            config.put("maxOutputTokens", request.tokenLimit());
        }
        if (request.temperature() != null) {
            config.put("temperature", request.temperature());
        }
        if (request.topP() != null) {
            config.put("topP", request.topP());
        }
        copyNumber(request.extra(), "seed", config, "seed");
        copyNumber(request.extra(), "presence_penalty", config, "presencePenalty");
        copyNumber(request.extra(), "frequency_penalty", config, "frequencyPenalty");
        JsonNode format = request.extra().get("response_format");
        if (format != null && format.isObject()) {
            switch (format.path("type").asText("")) {
                case "text" -> {
                    // Gemini's default.
                }
                case "json_object" -> config.put("responseMimeType", "application/json");
                case "json_schema" -> {
                    config.put("responseMimeType", "application/json");
                    JsonNode schema = format.path("json_schema").path("schema");
                    if (schema.isObject()) {
                        config.set("responseJsonSchema", schema);
                    }
                }
                default ->
                    throw unsupported(
                            provider,
                            "response_format type '" + format.path("type").asText() + "' has no Gemini equivalent");
            }
        }
        return config;
    }

    private static void copyNumber(Map<String, JsonNode> extra, String from, ObjectNode config, String to) {
        JsonNode value = extra.get(from);
        if (value != null && value.isNumber()) {
            config.set(to, value);
        }
    }

    // ---------------------------------------------------------------- chat: Gemini response → OpenAI

    /** A {@code GenerateContentResponse} as a {@code chat.completion}. */
    static ChatCompletionResponse chatCompletion(
            JsonNode response, String requestedModel, String fallbackId, long created, ObjectMapper mapper) {
        var choices = new ArrayList<ChatChoice>();
        JsonNode candidates = response.path("candidates");
        for (int position = 0; position < candidates.size(); position++) {
            JsonNode candidate = candidates.get(position);
            String text = text(candidate);
            List<ToolCall> calls = toolCalls(candidate, 0, false, mapper);
            String finish = finishReason(candidate.path("finishReason").asText(null), !calls.isEmpty());
            choices.add(new ChatChoice(
                    candidate.path("index").asInt(position),
                    ChatResponseMessage.assistant(text, calls.isEmpty() ? null : calls),
                    finish != null ? finish : calls.isEmpty() ? "stop" : "tool_calls"));
        }
        if (choices.isEmpty()) {
            // No candidates: the prompt itself was blocked (promptFeedback.blockReason).
            choices.add(new ChatChoice(0, ChatResponseMessage.assistant(null, null), blockedFinish(response)));
        }
        return new ChatCompletionResponse(
                completionId(response, fallbackId),
                ChatCompletionResponse.OBJECT,
                created,
                model(response, requestedModel),
                choices,
                usage(response.get("usageMetadata")),
                Map.of());
    }

    /** Google's {@code responseId} when it sent one, so an operator can quote it to Google. */
    static String completionId(JsonNode response, String fallbackId) {
        String responseId = response.path("responseId").asText("");
        return responseId.isEmpty() ? fallbackId : "chatcmpl-" + responseId;
    }

    static String model(JsonNode response, String requestedModel) {
        String version = response.path("modelVersion").asText("");
        return version.isEmpty() ? requestedModel : version;
    }

    static String blockedFinish(JsonNode response) {
        return response.path("promptFeedback").hasNonNull("blockReason") ? "content_filter" : "stop";
    }

    /** The candidate's text parts, joined; null when it has none. Thought summaries are left out. */
    static String text(JsonNode candidate) {
        StringBuilder text = null;
        for (JsonNode part : candidate.path("content").path("parts")) {
            JsonNode value = part.get("text");
            if (value != null && value.isTextual() && !part.path("thought").asBoolean(false)) {
                text = text == null ? new StringBuilder() : text;
                text.append(value.textValue());
            }
        }
        return text == null ? null : text.toString();
    }

    /**
     * The candidate's {@code functionCall} parts as tool calls. Gemini gives calls no id, so the
     * n-th call of a choice is {@code call_<n>}, the same whether streamed or not.
     *
     * @param first      the number of calls this choice has already had (streams)
     * @param withIndex  whether to set {@code index}, as stream deltas need
     */
    static List<ToolCall> toolCalls(JsonNode candidate, int first, boolean withIndex, ObjectMapper mapper) {
        var calls = new ArrayList<ToolCall>();
        for (JsonNode part : candidate.path("content").path("parts")) {
            JsonNode call = part.get("functionCall");
            if (call == null || !call.isObject()) {
                continue;
            }
            int n = first + calls.size();
            JsonNode args = call.path("args");
            String arguments;
            try {
                arguments = args.isObject() ? mapper.writeValueAsString(args) : "{}";
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("A parsed JSON tree cannot be written", e);
            }
            Map<String, JsonNode> extra = Map.of();
            JsonNode signature = part.get("thoughtSignature");
            if (signature != null && signature.isTextual()) {
                var extraContent = JSON.objectNode();
                extraContent.putObject("google").set("thought_signature", signature);
                extra = Map.of("extra_content", extraContent);
            }
            calls.add(new ToolCall(
                    withIndex ? n : null,
                    "call_" + n,
                    "function",
                    new FunctionCall(call.path("name").asText(""), arguments),
                    extra));
        }
        return calls;
    }

    /** Gemini's {@code finishReason} in OpenAI's words; null when it has none yet. */
    static String finishReason(String reason, boolean hasToolCalls) {
        if (reason == null || reason.isEmpty() || reason.equals("FINISH_REASON_UNSPECIFIED")) {
            return null;
        }
        if (reason.equals("MAX_TOKENS")) {
            return "length";
        }
        if (CONTENT_FILTER_REASONS.contains(reason)) {
            return "content_filter";
        }
        // STOP, and reasons OpenAI has no word for (OTHER, LANGUAGE, MALFORMED_FUNCTION_CALL …).
        return hasToolCalls ? "tool_calls" : "stop";
    }

    /**
     * {@code usageMetadata} as usage. Gemini counts thinking apart from the answer; OpenAI counts
     * it in completion_tokens and again as reasoning_tokens. Tool-use prompt tokens count as prompt.
     */
    static Usage usage(JsonNode metadata) {
        if (metadata == null || !metadata.isObject()) {
            return null;
        }
        long prompt = metadata.path("promptTokenCount").asLong(0)
                + metadata.path("toolUsePromptTokenCount").asLong(0);
        long thoughts = metadata.path("thoughtsTokenCount").asLong(0);
        long completion = metadata.path("candidatesTokenCount").asLong(0) + thoughts;
        long total = metadata.has("totalTokenCount")
                ? metadata.path("totalTokenCount").asLong()
                : prompt + completion;
        var extra = new LinkedHashMap<String, JsonNode>();
        if (metadata.has("cachedContentTokenCount")) {
            extra.put(
                    "prompt_tokens_details",
                    JSON.objectNode()
                            .put(
                                    "cached_tokens",
                                    metadata.path("cachedContentTokenCount").asLong()));
        }
        if (metadata.has("thoughtsTokenCount")) {
            extra.put("completion_tokens_details", JSON.objectNode().put("reasoning_tokens", thoughts));
        }
        return new Usage(prompt, completion, total, extra);
    }

    // ---------------------------------------------------------------- embeddings

    /** The texts to embed; Gemini takes text only, so token arrays are refused. */
    static List<String> embeddingInputs(EmbeddingRequest request, String provider) {
        JsonNode input = request.input();
        if (input.isTextual()) {
            return List.of(input.textValue());
        }
        var texts = new ArrayList<String>();
        for (int i = 0; i < input.size(); i++) {
            if (!input.get(i).isTextual()) {
                throw unsupported(provider, "input[" + i + "]: Gemini embeds text only, not token arrays");
            }
            texts.add(input.get(i).textValue());
        }
        return texts;
    }

    /** {@code EmbedContentRequest}; the model is in the URL. */
    static ObjectNode embedContentRequest(String text, Integer dimensions) {
        var body = JSON.objectNode();
        body.putObject("content").putArray("parts").addObject().put("text", text);
        if (dimensions != null) {
            body.put("outputDimensionality", dimensions);
        }
        return body;
    }

    /** {@code BatchEmbedContentsRequest}: each request must name the model again. */
    static ObjectNode batchEmbedContentsRequest(String modelResource, List<String> texts, Integer dimensions) {
        var body = JSON.objectNode();
        var requests = body.putArray("requests");
        for (String text : texts) {
            var request = embedContentRequest(text, dimensions);
            var ordered = requests.addObject();
            ordered.put("model", modelResource);
            ordered.setAll(request);
        }
        return body;
    }

    /**
     * An embedding list from {@code embedContent} ({@code {"embedding":{"values"}}}) or
     * {@code batchEmbedContents} ({@code {"embeddings":[...]}}). Gemini reports no token counts
     * for embeddings unless it sends {@code usageMetadata}; then usage is zero.
     */
    static EmbeddingResponse embeddingResponse(JsonNode body, String model, boolean base64) {
        var vectors = new ArrayList<JsonNode>();
        if (body.has("embeddings")) {
            body.path("embeddings").forEach(embedding -> vectors.add(embedding.path("values")));
        } else {
            vectors.add(body.path("embedding").path("values"));
        }
        var data = new ArrayList<Embedding>();
        for (int i = 0; i < vectors.size(); i++) {
            JsonNode values = vectors.get(i);
            if (!values.isArray()) {
                throw new IllegalArgumentException("an embedding without \"values\"");
            }
            data.add(new Embedding("embedding", i, base64 ? TextNode.valueOf(toBase64(values)) : values, Map.of()));
        }
        long tokens = body.path("usageMetadata").path("promptTokenCount").asLong(0);
        return new EmbeddingResponse("list", data, model, new EmbeddingUsage(tokens, tokens, Map.of()), Map.of());
    }

    /** What OpenAI sends for {@code encoding_format: base64}: little-endian float32s. */
    static String toBase64(JsonNode values) {
        var bytes = ByteBuffer.allocate(values.size() * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        values.forEach(value -> bytes.putFloat(value.floatValue()));
        return Base64.getEncoder().encodeToString(bytes.array());
    }

    // ---------------------------------------------------------------- models and errors

    /** The resource name of a model: {@code models/<id>}, or the id itself when it names one ({@code tunedModels/x}). */
    static String resource(String model) {
        return model.contains("/") ? model : "models/" + model;
    }

    /** A resource name as a URL path: each segment encoded, so a stray ':' cannot become a method. */
    static String path(String resource) {
        var path = new StringBuilder();
        for (String segment : resource.split("/", -1)) {
            if (!path.isEmpty()) {
                path.append('/');
            }
            path.append(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return path.toString();
    }

    /**
     * One page of {@code models.list}: the models that can chat ({@code generateContent}) or embed
     * ({@code embedContent}), by id without the {@code models/} prefix, each with what it can do.
     */
    static List<ModelInfo> models(JsonNode page) {
        var models = new ArrayList<ModelInfo>();
        for (JsonNode model : page.path("models")) {
            String name = model.path("name").asText("");
            String id = name.startsWith("models/") ? name.substring("models/".length()) : name;
            var capabilities = EnumSet.noneOf(Capability.class);
            for (JsonNode method : model.path("supportedGenerationMethods")) {
                switch (method.asText()) {
                    case "generateContent" -> capabilities.add(Capability.CHAT);
                    case "embedContent" -> capabilities.add(Capability.EMBEDDINGS);
                    default -> {
                        // countTokens, createCachedContent, predict … are not served here.
                    }
                }
            }
            if (!id.isEmpty() && !capabilities.isEmpty()) {
                models.add(new ModelInfo(id, 0, OWNER, capabilities));
            }
        }
        return models;
    }

    /**
     * Reads Google's error body, {@code {"error":{"code","message","status","details"}}} (streaming
     * without SSE wraps it in an array). The status string ({@code RESOURCE_EXHAUSTED}) becomes the code.
     */
    static UpstreamErrorParser errorParser(ObjectMapper mapper) {
        return (status, body) -> {
            JsonNode root = UpstreamErrors.readTree(mapper, body);
            ErrorDetail detail = root == null ? null : errorDetail(root);
            return detail != null ? detail : new ErrorDetail(UpstreamErrors.quote(status, body), null, null, null);
        };
    }

    /** The error in a parsed body, or null when it carries none. */
    static ErrorDetail errorDetail(JsonNode root) {
        JsonNode error = (root.isArray() && !root.isEmpty() ? root.get(0) : root).get("error");
        if (error == null || !error.isObject()) {
            return null;
        }
        String message = error.path("message").asText("").strip();
        String status = error.path("status").asText("");
        return new ErrorDetail(
                message.isEmpty() ? "HTTP " + error.path("code").asInt() : message,
                null,
                null,
                status.isEmpty() ? null : status);
    }

    static ProviderException unsupported(String provider, String message) {
        return ProviderException.untranslatable(
                provider, ErrorDetail.invalidRequest(message, null, "unsupported_value"));
    }
}
