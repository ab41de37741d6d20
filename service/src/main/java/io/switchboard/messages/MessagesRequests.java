package io.switchboard.messages;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.switchboard.api.ApiException;
import io.switchboard.api.ChatCompletionRequest;
import io.switchboard.api.ChatMessage;
import io.switchboard.api.ChatTool;
import io.switchboard.api.ErrorDetail;
import io.switchboard.api.FunctionDefinition;
import io.switchboard.api.StreamOptions;
import io.switchboard.api.ToolCall;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Anthropic Messages requests: the checks every one passes (Anthropic's own rules, so that a bad
 * request gets a 400 before any routing), and the translation to a chat completions request for
 * providers that do not speak the Messages API.
 *
 * <p>What translates: {@code system} (a string or text blocks; Claude Code's per-request
 * {@code x-anthropic-billing-header} block is dropped so the upstream's prompt cache sees a
 * stable prefix), text and image blocks, {@code tool_use} and {@code tool_result} turns, tools and
 * {@code tool_choice} ({@code disable_parallel_tool_use} included), {@code stop_sequences},
 * {@code temperature}, {@code top_p}, {@code max_tokens}, {@code thinking} (as a
 * {@code reasoning_effort}) and {@code metadata.user_id} (as {@code user}). What is left out on
 * purpose: {@code cache_control} (chat has no cache breakpoints), {@code thinking} blocks of
 * earlier assistant turns, {@code top_k}. What has no equivalent is refused with a 400 naming it
 * (documents, server tools and their blocks): {@link Translation#refusal()}.
 */
final class MessagesRequests {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** The billing block Claude Code puts first in {@code system}; it changes on every request. */
    static final String BILLING_HEADER = "x-anthropic-billing-header";

    private MessagesRequests() {}

    /** A checked request translated to chat, or the reason it cannot be. */
    record Translation(ChatCompletionRequest chat, ErrorDetail refusal) {}

    /**
     * Checks a body against the Messages API's rules: 400 {@code invalid_request_error} naming the
     * field, as Anthropic answers.
     *
     * @param countTokens {@code count_tokens} takes no {@code max_tokens} and no {@code stream}
     */
    static void check(ObjectNode body, boolean countTokens) {
        JsonNode model = body.get("model");
        if (model == null || model.isNull()) {
            throw invalid("model: Field required", "model");
        }
        if (!model.isTextual() || model.textValue().isBlank()) {
            throw invalid("model: Input should be a non-empty string", "model");
        }
        if (!countTokens) {
            JsonNode maxTokens = body.get("max_tokens");
            if (maxTokens == null || maxTokens.isNull()) {
                throw invalid("max_tokens: Field required", "max_tokens");
            }
            if (!maxTokens.canConvertToInt() || !maxTokens.isIntegralNumber() || maxTokens.intValue() < 1) {
                throw invalid("max_tokens: Input should be an integer greater than or equal to 1", "max_tokens");
            }
            requireType(body, "stream", JsonNode::isBoolean, "a valid boolean");
        }
        JsonNode messages = body.get("messages");
        if (messages == null || messages.isNull()) {
            throw invalid("messages: Field required", "messages");
        }
        if (!messages.isArray()) {
            throw invalid("messages: Input should be a valid list", "messages");
        }
        for (int i = 0; i < messages.size(); i++) {
            checkMessage(messages.get(i), "messages." + i);
        }
        JsonNode system = body.get("system");
        if (system != null && !system.isNull() && !system.isTextual()) {
            checkBlocks(system, "system");
        }
        requireType(body, "temperature", JsonNode::isNumber, "a valid number");
        requireType(body, "top_p", JsonNode::isNumber, "a valid number");
        requireType(body, "top_k", JsonNode::isIntegralNumber, "a valid integer");
        requireType(body, "metadata", JsonNode::isObject, "a valid dictionary");
        requireType(body, "tool_choice", JsonNode::isObject, "a valid dictionary");
        requireType(body, "thinking", JsonNode::isObject, "a valid dictionary");
        requireType(body, "tools", JsonNode::isArray, "a valid list");
        requireType(body, "stop_sequences", JsonNode::isArray, "a valid list");
        JsonNode stops = body.get("stop_sequences");
        if (stops != null && stops.isArray()) {
            for (int i = 0; i < stops.size(); i++) {
                if (!stops.get(i).isTextual()) {
                    throw invalid("stop_sequences." + i + ": Input should be a valid string", "stop_sequences");
                }
            }
        }
        JsonNode tools = body.get("tools");
        if (tools != null && tools.isArray()) {
            for (int i = 0; i < tools.size(); i++) {
                JsonNode tool = tools.get(i);
                if (!tool.isObject() || !tool.path("name").isTextual()) {
                    throw invalid("tools." + i + ".name: Field required", "tools");
                }
            }
        }
    }

    private static void checkMessage(JsonNode message, String path) {
        if (!message.isObject()) {
            throw invalid(path + ": Input should be a valid dictionary", path);
        }
        JsonNode role = message.get("role");
        if (role == null || !role.isTextual()) {
            throw invalid(path + ".role: Field required", path + ".role");
        }
        if (!"user".equals(role.textValue()) && !"assistant".equals(role.textValue())) {
            throw invalid(path + ".role: Input should be 'user' or 'assistant'", path + ".role");
        }
        JsonNode content = message.get("content");
        if (content == null || content.isNull()) {
            throw invalid(path + ".content: Field required", path + ".content");
        }
        if (!content.isTextual()) {
            checkBlocks(content, path + ".content");
        }
    }

    private static void checkBlocks(JsonNode blocks, String path) {
        if (!blocks.isArray()) {
            throw invalid(path + ": Input should be a valid string or a list of content blocks", path);
        }
        for (int i = 0; i < blocks.size(); i++) {
            JsonNode block = blocks.get(i);
            if (!block.isObject() || !block.path("type").isTextual()) {
                throw invalid(path + "." + i + ".type: Field required", path + "." + i + ".type");
            }
            if ("text".equals(block.path("type").textValue())
                    && !block.path("text").isTextual()) {
                throw invalid(path + "." + i + ".text: Input should be a valid string", path + "." + i + ".text");
            }
        }
    }

    private static void requireType(
            ObjectNode body, String field, java.util.function.Predicate<JsonNode> ok, String what) {
        JsonNode value = body.get(field);
        if (value != null && !value.isNull() && !ok.test(value)) {
            throw invalid(field + ": Input should be " + what, field);
        }
    }

    private static ApiException invalid(String message, String param) {
        return ApiException.badRequest(message, param);
    }

    /**
     * The chat request for a checked body. Never throws for what only some providers lack: that
     * is the {@link Translation#refusal()}, which a translating target fails with and a native one
     * ignores.
     *
     * @param askUsage whether a stream should ask the upstream for its usage
     */
    static Translation toChat(ObjectNode body, boolean askUsage) {
        var refusal = new ErrorDetail[1];
        var messages = new ArrayList<ChatMessage>();
        String system = systemText(body.get("system"));
        if (!system.isEmpty()) {
            messages.add(new ChatMessage("system", TextNode.valueOf(system), null, null, null, Map.of()));
        }
        JsonNode turns = body.path("messages");
        for (int i = 0; i < turns.size(); i++) {
            JsonNode turn = turns.get(i);
            String path = "messages." + i + ".content";
            if ("assistant".equals(turn.path("role").asText())) {
                messages.add(assistant(turn.get("content"), path, refusal));
            } else {
                user(turn.get("content"), path, messages, refusal);
            }
        }
        var extra = new LinkedHashMap<String, JsonNode>();
        List<ChatTool> tools = tools(body.get("tools"), refusal);
        JsonNode toolChoice = null;
        JsonNode choice = body.get("tool_choice");
        if (choice != null && choice.isObject()) {
            toolChoice = toolChoice(choice);
            if (choice.path("disable_parallel_tool_use").asBoolean(false) && tools != null) {
                extra.put("parallel_tool_calls", NODES.booleanNode(false));
            }
        }
        String effort = reasoningEffort(body.get("thinking"));
        if (effort != null) {
            extra.put("reasoning_effort", TextNode.valueOf(effort));
        }
        JsonNode user = body.path("metadata").get("user_id");
        if (user != null && user.isTextual()) {
            extra.put("user", user);
        }
        JsonNode stops = body.get("stop_sequences");
        boolean stream = body.path("stream").asBoolean(false);
        var chat = new ChatCompletionRequest(
                body.path("model").asText(),
                messages,
                stream ? Boolean.TRUE : null,
                stream && askUsage ? new StreamOptions(true, Map.of()) : null,
                number(body.get("temperature")),
                number(body.get("top_p")),
                null,
                body.has("max_tokens") ? body.get("max_tokens").asInt() : null,
                null,
                stops != null && stops.isArray() && !stops.isEmpty() ? stops : null,
                tools,
                toolChoice,
                extra);
        return new Translation(chat, refusal[0]);
    }

    /** The system prompt as one text: its blocks joined, Claude Code's billing block left out. */
    static String systemText(JsonNode system) {
        if (system == null || system.isNull()) {
            return "";
        }
        if (system.isTextual()) {
            return system.textValue();
        }
        var parts = new ArrayList<String>();
        for (JsonNode block : system) {
            String text = block.path("text").asText("");
            if (!text.isEmpty() && !text.startsWith(BILLING_HEADER)) {
                parts.add(text);
            }
        }
        return String.join("\n\n", parts);
    }

    /** A user turn: its tool results as {@code tool} messages first, then the rest as one user message. */
    private static void user(JsonNode content, String path, List<ChatMessage> out, ErrorDetail[] refusal) {
        if (content.isTextual()) {
            out.add(new ChatMessage("user", content, null, null, null, Map.of()));
            return;
        }
        ArrayNode parts = NODES.arrayNode();
        for (int i = 0; i < content.size(); i++) {
            JsonNode block = content.get(i);
            String type = block.path("type").asText();
            switch (type) {
                case "text" -> parts.add(textPart(block.path("text").asText()));
                case "image" -> {
                    JsonNode part = imagePart(block, path + "." + i, refusal);
                    if (part != null) {
                        parts.add(part);
                    }
                }
                case "tool_result" -> {
                    ArrayNode images = NODES.arrayNode();
                    String text = toolResultText(block.get("content"), images, path + "." + i, refusal);
                    if (block.path("is_error").asBoolean(false)) {
                        text = "Error: " + text;
                    }
                    out.add(new ChatMessage(
                            "tool",
                            TextNode.valueOf(text),
                            null,
                            null,
                            block.path("tool_use_id").asText(),
                            Map.of()));
                    // A tool message holds text only: images a tool returned follow as the user's.
                    images.forEach(parts::add);
                }
                default -> refuse(refusal, type, path + "." + i);
            }
        }
        if (!parts.isEmpty()) {
            JsonNode chatContent =
                    parts.size() == 1 && "text".equals(parts.get(0).path("type").asText())
                            ? parts.get(0).get("text")
                            : parts;
            out.add(new ChatMessage("user", chatContent, null, null, null, Map.of()));
        }
    }

    private static String toolResultText(JsonNode content, ArrayNode images, String path, ErrorDetail[] refusal) {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isTextual()) {
            return content.textValue();
        }
        var text = new StringBuilder();
        for (int i = 0; i < content.size(); i++) {
            JsonNode block = content.get(i);
            switch (block.path("type").asText()) {
                case "text" -> {
                    if (!text.isEmpty()) {
                        text.append('\n');
                    }
                    text.append(block.path("text").asText());
                }
                case "image" -> {
                    JsonNode part = imagePart(block, path + ".content." + i, refusal);
                    if (part != null) {
                        images.add(part);
                    }
                }
                default -> refuse(refusal, block.path("type").asText(), path + ".content." + i);
            }
        }
        return text.toString();
    }

    private static ChatMessage assistant(JsonNode content, String path, ErrorDetail[] refusal) {
        if (content.isTextual()) {
            return new ChatMessage("assistant", content, null, null, null, Map.of());
        }
        var text = new StringBuilder();
        var calls = new ArrayList<ToolCall>();
        for (int i = 0; i < content.size(); i++) {
            JsonNode block = content.get(i);
            String type = block.path("type").asText();
            switch (type) {
                case "text" -> text.append(block.path("text").asText());
                case "tool_use" -> {
                    JsonNode input = block.get("input");
                    calls.add(ToolCall.function(
                            block.path("id").asText(),
                            block.path("name").asText(),
                            input == null || input.isNull() ? "{}" : input.toString()));
                }
                case "thinking", "redacted_thinking" -> {
                    // The model's own earlier reasoning: chat has no way to send it back.
                }
                default -> refuse(refusal, type, path + "." + i);
            }
        }
        return new ChatMessage(
                "assistant",
                text.isEmpty() && !calls.isEmpty() ? null : TextNode.valueOf(text.toString()),
                null,
                calls.isEmpty() ? null : calls,
                null,
                Map.of());
    }

    private static ObjectNode textPart(String text) {
        return NODES.objectNode().put("type", "text").put("text", text);
    }

    /** An image block as an {@code image_url} part: base64 data as a data URL, or the URL itself. */
    private static JsonNode imagePart(JsonNode block, String path, ErrorDetail[] refusal) {
        JsonNode source = block.path("source");
        String url;
        switch (source.path("type").asText()) {
            case "base64" ->
                url = "data:" + source.path("media_type").asText() + ";base64,"
                        + source.path("data").asText();
            case "url" -> url = source.path("url").asText();
            default -> {
                refuse(refusal, "image source " + source.path("type").asText(), path + ".source");
                return null;
            }
        }
        ObjectNode part = NODES.objectNode().put("type", "image_url");
        part.putObject("image_url").put("url", url);
        return part;
    }

    private static List<ChatTool> tools(JsonNode tools, ErrorDetail[] refusal) {
        if (tools == null || !tools.isArray() || tools.isEmpty()) {
            return null;
        }
        var out = new ArrayList<ChatTool>();
        for (int i = 0; i < tools.size(); i++) {
            JsonNode tool = tools.get(i);
            String type = tool.path("type").asText("custom");
            if (!"custom".equals(type)) {
                // Anthropic's own tools (web search, bash, text editor, computer use) run on its side.
                note(
                        refusal,
                        "The tool type '" + type + "' (tools." + i + ") is one of Anthropic's server or"
                                + " built-in tools; providers other than Anthropic have no equivalent.",
                        "tools." + i + ".type");
                continue;
            }
            JsonNode schema = tool.get("input_schema");
            out.add(new ChatTool(
                    "function",
                    new FunctionDefinition(
                            tool.path("name").asText(),
                            tool.path("description").isTextual()
                                    ? tool.get("description").textValue()
                                    : null,
                            schema == null || schema.isNull()
                                    ? NODES.objectNode().put("type", "object")
                                    : schema,
                            null,
                            Map.of()),
                    Map.of()));
        }
        return out.isEmpty() ? null : out;
    }

    private static JsonNode toolChoice(JsonNode choice) {
        return switch (choice.path("type").asText()) {
            case "any" -> TextNode.valueOf("required");
            case "none" -> TextNode.valueOf("none");
            case "tool" -> {
                ObjectNode named = NODES.objectNode().put("type", "function");
                named.putObject("function").put("name", choice.path("name").asText());
                yield named;
            }
            default -> TextNode.valueOf("auto");
        };
    }

    /**
     * OpenAI's {@code reasoning_effort} for Anthropic's {@code thinking}: a budget under 4,096
     * tokens is {@code low}, under 16,384 {@code medium}, more {@code high}; adaptive thinking
     * is {@code medium}; disabled (or absent) sends nothing.
     */
    static String reasoningEffort(JsonNode thinking) {
        if (thinking == null || !thinking.isObject()) {
            return null;
        }
        return switch (thinking.path("type").asText()) {
            case "enabled" -> {
                long budget = thinking.path("budget_tokens").asLong(0);
                yield budget < 4096 ? "low" : budget < 16384 ? "medium" : "high";
            }
            case "adaptive" -> "medium";
            default -> null;
        };
    }

    private static Double number(JsonNode node) {
        return node != null && node.isNumber() ? node.doubleValue() : null;
    }

    private static void refuse(ErrorDetail[] refusal, String type, String path) {
        note(
                refusal,
                "Content of type '" + type + "' (" + path + ") cannot be translated for providers other"
                        + " than Anthropic.",
                path);
    }

    /** Keeps the first reason a translating target would refuse the request. */
    private static void note(ErrorDetail[] refusal, String message, String param) {
        if (refusal[0] == null) {
            refusal[0] = ErrorDetail.invalidRequest(message, param, "unsupported_content");
        }
    }
}
