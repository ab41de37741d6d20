package io.switchboard.resources;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.api.ApiException;
import io.switchboard.api.ChatCompletionRequest;
import io.switchboard.api.ChatMessage;
import io.switchboard.api.ChatTool;
import io.switchboard.api.CompletionRequest;
import io.switchboard.api.EmbeddingRequest;
import io.switchboard.api.ImageRequest;
import io.switchboard.api.Printable;
import io.switchboard.api.StreamOptions;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The checks OpenAI makes before a request reaches a model, with its wording where it has one:
 * what OpenAI accepts passes (unknown fields, role {@code developer}), what it rejects is a 400
 * {@code invalid_request_error} naming the parameter.
 */
final class RequestChecks {

    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool", "function");
    private static final Pattern FUNCTION_NAME = Pattern.compile("[a-zA-Z0-9_-]{1,64}");
    private static final Set<String> TOOL_CHOICES = Set.of("none", "auto", "required");
    private static final List<String> IMAGE_DETAILS = List.of("auto", "low", "high");
    private static final List<String> AUDIO_FORMATS = List.of("wav", "mp3");
    /*
     * Tool types, content part types and response_format types that OpenAI does not define are
     * passed on, not refused: the providers behind the gateway define their own (Groq's
     * browser_search tool, vLLM's video_url parts and structural_tag format), and one that does
     * not know a type refuses it with its own 400, which reaches the client as such. The types
     * OpenAI does define are checked for their shape.
     */
    /** Longer than any real id (OpenRouter's, fine-tune ids and ARNs stay under 128). */
    static final int MAX_MODEL_LENGTH = 256;

    private RequestChecks() {}

    static void chat(ChatCompletionRequest request) {
        requireModel(request.model());
        List<ChatMessage> messages = request.messages();
        if (messages == null) {
            throw missing("messages");
        }
        if (messages.isEmpty()) {
            throw invalid(
                    "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty"
                            + " array instead.",
                    "messages",
                    "empty_array");
        }
        for (int i = 0; i < messages.size(); i++) {
            message(messages.get(i), "messages[" + i + "]");
        }
        range(request.temperature(), 0, 2, "temperature");
        range(request.topP(), 0, 1, "top_p");
        intRange(request.n(), 1, 128, "n");
        intRange(request.maxTokens(), 1, Integer.MAX_VALUE, "max_tokens");
        intRange(request.maxCompletionTokens(), 1, Integer.MAX_VALUE, "max_completion_tokens");
        stop(request.stop());
        streamOptions(request.streamOptions(), request.isStream());
        tools(request.tools());
        toolChoice(request.toolChoice(), request.tools());
        responseFormat(request.extra().get("response_format"));
        logitBias(request.extra().get("logit_bias"));
    }

    static void completion(CompletionRequest request) {
        requireModel(request.model());
        if (request.prompt() == null) {
            throw missing("prompt");
        }
        JsonNode prompt = request.prompt();
        if (!prompt.isNull()) {
            textOrTokens(prompt, "prompt");
        }
        range(request.temperature(), 0, 2, "temperature");
        range(request.topP(), 0, 1, "top_p");
        intRange(request.n(), 1, 128, "n");
        intRange(request.maxTokens(), 0, Integer.MAX_VALUE, "max_tokens");
        streamOptions(request.streamOptions(), request.isStream());
        logitBias(request.extra().get("logit_bias"));
    }

    static void embedding(EmbeddingRequest request) {
        requireModel(request.model());
        JsonNode input = request.input();
        if (input == null || input.isNull()) {
            throw missing("input");
        }
        if (input.isTextual() && input.textValue().isEmpty()) {
            throw invalid("Invalid 'input': empty string. Expected a non-empty string.", "input", "invalid_value");
        }
        if (input.isArray() && input.isEmpty()) {
            throw invalid(
                    "Invalid 'input': empty array. Expected an array with minimum length 1.", "input", "empty_array");
        }
        textOrTokens(input, "input");
        String format = request.encodingFormat();
        if (format != null && !format.equals("float") && !format.equals("base64")) {
            throw invalid(
                    "Invalid value for 'encoding_format': '" + format + "'. Supported values are: 'float' and"
                            + " 'base64'.",
                    "encoding_format",
                    "invalid_value");
        }
        intRange(request.dimensions(), 1, 65536, "dimensions");
    }

    static void image(ImageRequest request) {
        if (request.model() != null) {
            requireModel(request.model());
        }
        if (request.prompt() == null) {
            throw missing("prompt");
        }
        if (request.prompt().isBlank()) {
            throw invalid("Invalid 'prompt': empty string. Expected a non-empty prompt.", "prompt", "invalid_value");
        }
        intRange(request.n(), 1, 10, "n");
        String format = request.responseFormat();
        if (format != null && !format.equals("url") && !format.equals("b64_json")) {
            throw invalid(
                    "Invalid value for 'response_format': '" + format + "'. Supported values are: 'url' and"
                            + " 'b64_json'.",
                    "response_format",
                    "invalid_value");
        }
        // OpenAI defaults to one of its own models; a gateway has no default image model to pick.
        if (request.model() == null) {
            throw ApiException.badRequest(
                    "Missing required parameter: 'model'. Name an image model from" + " GET /v1/models.",
                    "model",
                    "missing_required_parameter");
        }
    }

    private static void message(ChatMessage message, String path) {
        if (message == null) {
            throw invalidType(path, "an object");
        }
        String role = message.role();
        if (role == null) {
            throw missing(path + ".role");
        }
        if (!ROLES.contains(role)) {
            throw invalid(
                    "Invalid value: '" + Printable.of(role, 64)
                            + "'. Supported values are: 'system', 'assistant', 'user',"
                            + " 'function', 'tool', and 'developer'.",
                    path + ".role",
                    "invalid_value");
        }
        JsonNode content = message.content();
        if (content != null && !(content.isTextual() || content.isArray() || content.isNull())) {
            throw invalidType(path + ".content", "a string or an array of content parts");
        }
        if (content != null && content.isArray()) {
            for (int i = 0; i < content.size(); i++) {
                JsonNode part = content.get(i);
                if (!part.isObject() || !part.path("type").isTextual()) {
                    throw invalid(
                            "Invalid content part at '" + path + ".content[" + i + "]': each part must be an object"
                                    + " with a 'type'.",
                            path + ".content[" + i + "]",
                            "invalid_type");
                }
                contentPart(part, path + ".content[" + i + "]");
            }
        }
        boolean hasContent = content != null && !content.isNull();
        switch (role) {
            case "system", "developer", "user" -> {
                if (!hasContent) {
                    throw missing(path + ".content");
                }
            }
            case "assistant" -> {
                if (!hasContent
                        && (message.toolCalls() == null || message.toolCalls().isEmpty())
                        && !message.extra().containsKey("function_call")
                        && !message.extra().containsKey("refusal")
                        && !message.extra().containsKey("audio")) {
                    throw invalid(
                            "Invalid '" + path + "': an assistant message needs 'content' or 'tool_calls'.",
                            path + ".content",
                            "missing_required_parameter");
                }
            }
            case "tool" -> {
                if (message.toolCallId() == null) {
                    throw missing(path + ".tool_call_id");
                }
            }
            default -> {
                // "function": the deprecated form needs only a name, which OpenAI checks.
            }
        }
    }

    /**
     * The shape of a content part of a type OpenAI defines (its ChatCompletionRequestMessageContentPart
     * schemas); a part of any other type is a provider's extension and passes as it is.
     */
    private static void contentPart(JsonNode part, String path) {
        switch (part.get("type").textValue()) {
            case "text" -> requireString(part, "text", path);
            case "refusal" -> requireString(part, "refusal", path);
            case "image_url" -> {
                JsonNode image = requireObject(part, "image_url", path);
                requireString(image, "url", path + ".image_url");
                JsonNode detail = image.get("detail");
                if (detail != null && !detail.isNull()) {
                    if (!detail.isTextual()) {
                        throw invalidType(path + ".image_url.detail", "a string");
                    }
                    oneOf(detail.textValue(), IMAGE_DETAILS, path + ".image_url.detail");
                }
            }
            case "input_audio" -> {
                JsonNode audio = requireObject(part, "input_audio", path);
                requireString(audio, "data", path + ".input_audio");
                oneOf(
                        requireString(audio, "format", path + ".input_audio"),
                        AUDIO_FORMATS,
                        path + ".input_audio.format");
            }
            case "file" -> {
                JsonNode file = requireObject(part, "file", path);
                for (String field : List.of("file_data", "file_id", "filename")) {
                    JsonNode value = file.get(field);
                    if (value != null && !value.isNull() && !value.isTextual()) {
                        throw invalidType(path + ".file." + field, "a string");
                    }
                }
            }
            default -> {
                // A provider's own part type (vLLM's video_url, …): passed on for it to judge.
            }
        }
    }

    private static void stop(JsonNode stop) {
        if (stop == null || stop.isNull() || stop.isTextual()) {
            return;
        }
        if (!stop.isArray()) {
            throw invalidType("stop", "a string or an array of strings");
        }
        if (stop.size() > 4) {
            throw invalid(
                    "Invalid 'stop': array too long. Expected an array with maximum length 4, but got an array"
                            + " with length " + stop.size() + " instead.",
                    "stop",
                    "array_above_max_length");
        }
        for (JsonNode item : stop) {
            if (!item.isTextual()) {
                throw invalidType("stop", "a string or an array of strings");
            }
        }
    }

    private static void streamOptions(StreamOptions options, boolean stream) {
        if (options != null && !stream) {
            throw invalid(
                    "The 'stream_options' parameter is only allowed when 'stream' is enabled.", "stream_options", null);
        }
    }

    private static void tools(List<ChatTool> tools) {
        if (tools == null) {
            return;
        }
        for (int i = 0; i < tools.size(); i++) {
            ChatTool tool = tools.get(i);
            String path = "tools[" + i + "]";
            if (tool == null) {
                throw invalidType(path, "an object");
            }
            if (tool.type() == null) {
                throw missing(path + ".type");
            }
            if ("custom".equals(tool.type())) {
                JsonNode custom = tool.extra().get("custom");
                if (custom == null || custom.isNull()) {
                    throw missing(path + ".custom");
                }
                if (!custom.isObject()) {
                    throw invalidType(path + ".custom", "an object");
                }
                requireString(custom, "name", path + ".custom");
            }
            if ("function".equals(tool.type())) {
                if (tool.function() == null) {
                    throw missing(path + ".function");
                }
                String name = tool.function().name();
                if (name == null) {
                    throw missing(path + ".function.name");
                }
                if (!FUNCTION_NAME.matcher(name).matches()) {
                    throw invalid(
                            "Invalid '" + path + ".function.name': string does not match pattern. Expected a"
                                    + " string that matches the pattern '^[a-zA-Z0-9_-]{1,64}$'.",
                            path + ".function.name",
                            "invalid_value");
                }
                JsonNode parameters = tool.function().parameters();
                if (parameters != null && !parameters.isObject()) {
                    throw invalidType(path + ".function.parameters", "an object");
                }
            }
        }
    }

    /** {@code response_format}: an object with a type; OpenAI's {@code json_schema} needs its object with a name. */
    private static void responseFormat(JsonNode format) {
        if (format == null || format.isNull()) {
            return;
        }
        if (!format.isObject()) {
            throw invalidType("response_format", "an object");
        }
        String type = requireString(format, "type", "response_format");
        if (type.equals("json_schema")) {
            JsonNode schema = format.get("json_schema");
            if (schema == null || schema.isNull()) {
                throw missing("response_format.json_schema");
            }
            if (!schema.isObject()) {
                throw invalidType("response_format.json_schema", "an object");
            }
            requireString(schema, "name", "response_format.json_schema");
        }
    }

    /** {@code logit_bias}: a map from token id to a bias from -100 to 100. */
    private static void logitBias(JsonNode bias) {
        if (bias == null || bias.isNull()) {
            return;
        }
        if (!bias.isObject()) {
            throw invalidType("logit_bias", "an object");
        }
        for (var entry : bias.properties()) {
            String param = "logit_bias." + entry.getKey();
            JsonNode value = entry.getValue();
            if (!value.isNumber()) {
                throw invalidType(param, "a number");
            }
            range(value.doubleValue(), -100, 100, param);
        }
    }

    /**
     * A {@code prompt} or embedding {@code input}: a string, or an array of strings, of integers
     * (tokens), or of non-empty arrays of integers, one kind per array as in OpenAI's spec.
     */
    private static void textOrTokens(JsonNode value, String param) {
        if (value.isTextual()) {
            return;
        }
        if (!value.isArray()) {
            throw invalidType(param, "a string or an array");
        }
        String kind = null;
        for (int i = 0; i < value.size(); i++) {
            JsonNode item = value.get(i);
            String path = param + "[" + i + "]";
            String itemKind = item.isTextual()
                    ? "a string"
                    : item.isIntegralNumber() ? "an integer" : item.isArray() ? "an array of integers" : null;
            if (itemKind == null) {
                throw invalidType(path, kind != null ? kind : "a string, an integer or an array of integers");
            }
            if (kind != null && !kind.equals(itemKind)) {
                throw invalidType(path, kind + ", like the item before it");
            }
            kind = itemKind;
            if (item.isArray()) {
                if (item.isEmpty()) {
                    throw invalid(
                            "Invalid '" + path + "': empty array. Expected an array with minimum length 1.",
                            path,
                            "empty_array");
                }
                for (int j = 0; j < item.size(); j++) {
                    if (!item.get(j).isIntegralNumber()) {
                        throw invalidType(path + "[" + j + "]", "an integer");
                    }
                }
            }
        }
    }

    private static void toolChoice(JsonNode choice, List<ChatTool> tools) {
        if (choice == null || choice.isNull()) {
            return;
        }
        if (choice.isTextual()) {
            if (!TOOL_CHOICES.contains(choice.textValue())) {
                throw invalid(
                        "Invalid value: '" + Printable.of(choice.textValue(), 64) + "'. Supported values are: 'none',"
                                + " 'auto', and 'required'.",
                        "tool_choice",
                        "invalid_value");
            }
        } else if (!choice.isObject()) {
            throw invalidType("tool_choice", "a string or an object");
        }
        if ((tools == null || tools.isEmpty()) && !(choice.isTextual() && "none".equals(choice.textValue()))) {
            throw invalid(
                    "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.",
                    "tool_choice",
                    null);
        }
    }

    private static void requireModel(String model) {
        if (model == null || model.isEmpty()) {
            throw missing("model");
        }
        modelId(model);
    }

    /**
     * What no model id anywhere looks like, refused before routing: very long ids (they would be
     * quoted in errors and logs), control characters (CR/LF or NUL would break a log line, or a
     * header or URL that an adapter builds from the id), and {@code .} or {@code ..} path
     * segments (an adapter that puts the id in a URL path must not be walked up the upstream's
     * API). Slashes themselves are fine: ids like {@code openrouter/meta-llama/llama-3-8b} have them.
     */
    static void modelId(String model) {
        if (model.length() > MAX_MODEL_LENGTH) {
            throw invalid(
                    "Invalid 'model': string too long. Expected a string with maximum length " + MAX_MODEL_LENGTH
                            + ", but got a string with length " + model.length() + " instead.",
                    "model",
                    "string_above_max_length");
        }
        for (int i = 0; i < model.length(); i++) {
            char c = model.charAt(i);
            if (Character.isISOControl(c)) {
                throw invalid(
                        "Invalid 'model': control characters are not allowed in a model id.", "model", "invalid_value");
            }
        }
        for (String segment : model.split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                throw invalid(
                        "Invalid 'model': '.' and '..' are not allowed as parts of a model id.",
                        "model",
                        "invalid_value");
            }
        }
    }

    private static void range(Double value, double min, double max, String param) {
        if (value != null && (value < min || value > max || value.isNaN())) {
            throw invalid(
                    "Invalid '" + param + "': decimal " + (value < min ? "below minimum" : "above maximum")
                            + " value. Expected a value " + (value < min ? ">= " + fmt(min) : "<= " + fmt(max))
                            + ", but got " + value + " instead.",
                    param,
                    value < min ? "decimal_below_min_value" : "decimal_above_max_value");
        }
    }

    private static void intRange(Integer value, int min, int max, String param) {
        if (value != null && (value < min || value > max)) {
            throw invalid(
                    "Invalid '" + param + "': integer " + (value < min ? "below minimum" : "above maximum")
                            + " value. Expected a value " + (value < min ? ">= " + min : "<= " + max)
                            + ", but got " + value + " instead.",
                    param,
                    value < min ? "integer_below_min_value" : "integer_above_max_value");
        }
    }

    private static String fmt(double value) {
        return value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value);
    }

    /** The string {@code object.field}, required: its value, or a 400 naming {@code parent.field}. */
    private static String requireString(JsonNode object, String field, String parent) {
        JsonNode value = object.get(field);
        if (value == null || value.isNull()) {
            throw missing(parent + "." + field);
        }
        if (!value.isTextual()) {
            throw invalidType(parent + "." + field, "a string");
        }
        return value.textValue();
    }

    /** The object {@code object.field}, required: it, or a 400 naming {@code parent.field}. */
    private static JsonNode requireObject(JsonNode object, String field, String parent) {
        JsonNode value = object.get(field);
        if (value == null || value.isNull()) {
            throw missing(parent + "." + field);
        }
        if (!value.isObject()) {
            throw invalidType(parent + "." + field, "an object");
        }
        return value;
    }

    /** {@code value} must be one of {@code supported}, else OpenAI's "Supported values are" 400. */
    private static void oneOf(String value, List<String> supported, String param) {
        if (supported.contains(value)) {
            return;
        }
        var list = new StringBuilder();
        for (int i = 0; i < supported.size(); i++) {
            if (i > 0) {
                list.append(supported.size() == 2 ? " and " : i == supported.size() - 1 ? ", and " : ", ");
            }
            list.append('\'').append(supported.get(i)).append('\'');
        }
        throw invalid(
                "Invalid value: '" + Printable.of(value, 64) + "'. Supported values are: " + list + ".",
                param,
                "invalid_value");
    }

    private static ApiException missing(String param) {
        return ApiException.badRequest(
                "Missing required parameter: '" + param + "'.", param, "missing_required_parameter");
    }

    private static ApiException invalidType(String param, String expected) {
        return ApiException.badRequest(
                "Invalid type for '" + param + "': expected " + expected + ".", param, "invalid_type");
    }

    private static ApiException invalid(String message, String param, String code) {
        return ApiException.badRequest(message, param, code);
    }
}
