package io.switchboard.messages;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.api.ChatChoice;
import io.switchboard.api.ChatCompletionResponse;
import io.switchboard.api.ChatResponseMessage;
import io.switchboard.api.ToolCall;
import io.switchboard.api.Usage;

import java.io.IOException;

/**
 * Chat completions' answers in the Messages API's words: a whole {@code message} object, and the
 * pieces the stream translator shares with it (stop reasons, usage, tool input).
 */
final class MessagesReplies {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ObjectMapper JSON = new ObjectMapper();

    private MessagesReplies() {}

    /** The Messages API's {@code message} for a chat completion, named {@code model}. */
    static ObjectNode message(ChatCompletionResponse response, String model) {
        ObjectNode message = NODES.objectNode();
        message.put("id", messageId(response.id()));
        message.put("type", "message");
        message.put("role", "assistant");
        message.put("model", model);
        ArrayNode content = message.putArray("content");
        String finish = null;
        if (response.choices() != null && !response.choices().isEmpty()) {
            ChatChoice choice = response.choices().get(0);
            finish = choice.finishReason();
            ChatResponseMessage answer = choice.message();
            if (answer != null) {
                String reasoning = reasoning(
                        answer.extra().get("reasoning_content"), answer.extra().get("reasoning"));
                if (reasoning != null) {
                    content.addObject()
                            .put("type", "thinking")
                            .put("thinking", reasoning)
                            .put("signature", "");
                }
                if (answer.content() != null && !answer.content().isEmpty()) {
                    content.addObject().put("type", "text").put("text", answer.content());
                } else if (answer.refusal() != null && !answer.refusal().isEmpty()) {
                    content.addObject().put("type", "text").put("text", answer.refusal());
                    finish = "content_filter";
                }
                if (answer.toolCalls() != null) {
                    for (ToolCall call : answer.toolCalls()) {
                        ObjectNode block = content.addObject();
                        block.put("type", "tool_use");
                        block.put("id", call.id());
                        block.put(
                                "name",
                                call.function() == null ? null : call.function().name());
                        block.set(
                                "input",
                                input(
                                        call.function() == null
                                                ? null
                                                : call.function().arguments()));
                    }
                }
            }
        }
        message.put("stop_reason", stopReason(finish));
        message.putNull("stop_sequence");
        message.set("usage", usage(response.usage()));
        return message;
    }

    /** Anthropic ids start with {@code msg_}; a chat id keeps its characters after that prefix. */
    static String messageId(String chatId) {
        if (chatId == null || chatId.isEmpty()) {
            return "msg_" + Long.toHexString(System.nanoTime());
        }
        return chatId.startsWith("msg_") ? chatId : "msg_" + chatId;
    }

    /** The text of a reasoning field ({@code reasoning_content} or {@code reasoning}), or null. */
    static String reasoning(JsonNode... candidates) {
        for (JsonNode candidate : candidates) {
            if (candidate != null
                    && candidate.isTextual()
                    && !candidate.textValue().isEmpty()) {
                return candidate.textValue();
            }
        }
        return null;
    }

    /** Anthropic's {@code stop_reason} for chat's {@code finish_reason}. */
    static String stopReason(String finishReason) {
        if (finishReason == null) {
            return "end_turn";
        }
        return switch (finishReason) {
            case "length" -> "max_tokens";
            case "tool_calls", "function_call" -> "tool_use";
            case "content_filter" -> "refusal";
            default -> "end_turn";
        };
    }

    /**
     * Anthropic's usage for chat's: {@code input_tokens} counts only what was not read from a
     * cache, as Anthropic counts it; cache reads are {@code cache_read_input_tokens}.
     */
    static ObjectNode usage(Usage usage) {
        ObjectNode out = NODES.objectNode();
        if (usage == null) {
            out.put("input_tokens", 0).put("output_tokens", 0);
            return out;
        }
        long cached = usage.extra()
                .getOrDefault("prompt_tokens_details", NODES.objectNode())
                .path("cached_tokens")
                .asLong(0);
        long written = usage.extra()
                .getOrDefault("prompt_tokens_details", NODES.objectNode())
                .path("cache_creation_tokens")
                .asLong(0);
        out.put("input_tokens", Math.max(0, usage.promptTokens() - cached - written));
        out.put("cache_creation_input_tokens", written);
        out.put("cache_read_input_tokens", cached);
        out.put("output_tokens", usage.completionTokens());
        return out;
    }

    /** A tool call's arguments as the {@code input} object; arguments that are not an object are kept as a string. */
    static JsonNode input(String arguments) {
        if (arguments == null || arguments.isBlank()) {
            return NODES.objectNode();
        }
        try {
            JsonNode parsed = JSON.readTree(arguments);
            return parsed != null && parsed.isObject()
                    ? parsed
                    : NODES.objectNode().put("arguments", arguments);
        } catch (IOException notJson) {
            return NODES.objectNode().put("arguments", arguments);
        }
    }
}
