package io.switchboard.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.api.ChatCompletionResponse;
import io.switchboard.api.ChatResponseMessage;
import io.switchboard.api.ToolCall;
import io.switchboard.api.Usage;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Responses API objects built from chat completions: the response envelope (echoing the
 * request's settings, as OpenAI's does), its output items, its usage. Pure.
 */
final class ResponseObjects {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private ResponseObjects() {}

    /** A response with no output yet, in {@code status}, echoing what the request set. */
    static ObjectNode envelope(String id, long createdAt, ResponsesRequest request, String model, String status) {
        var response = JSON.objectNode()
                .put("id", id)
                .put("object", "response")
                .put("created_at", createdAt)
                .put("status", status);
        response.putNull("error");
        response.putNull("incomplete_details");
        response.set("instructions", orNull(request.get("instructions")));
        response.set("max_output_tokens", orNull(request.get("max_output_tokens")));
        response.put("model", model);
        response.putArray("output");
        JsonNode parallel = request.get("parallel_tool_calls");
        response.put("parallel_tool_calls", parallel == null || parallel.asBoolean(true));
        response.set("previous_response_id", orNull(request.get("previous_response_id")));
        JsonNode reasoning = request.get("reasoning");
        var echoedReasoning = response.putObject("reasoning");
        echoedReasoning.set("effort", orNull(reasoning == null ? null : reasoning.get("effort")));
        echoedReasoning.set("summary", orNull(reasoning == null ? null : reasoning.get("summary")));
        response.put("store", request.store());
        response.set("temperature", numberOr(request.get("temperature"), 1.0));
        JsonNode text = request.get("text");
        if (text != null && text.has("format")) {
            response.set("text", text);
        } else {
            response.putObject("text").putObject("format").put("type", "text");
        }
        JsonNode toolChoice = request.get("tool_choice");
        response.set("tool_choice", toolChoice == null ? JSON.textNode("auto") : toolChoice);
        JsonNode tools = request.get("tools");
        response.set("tools", tools == null ? JSON.arrayNode() : tools);
        response.set("top_p", numberOr(request.get("top_p"), 1.0));
        response.put("truncation", "disabled");
        response.putNull("usage");
        response.set("user", orNull(request.get("user")));
        JsonNode metadata = request.get("metadata");
        response.set("metadata", metadata == null ? JSON.objectNode() : metadata);
        return response;
    }

    /** The response to a chat completion: its message as output items, status and usage. */
    static ObjectNode fromChat(ObjectNode envelope, ChatCompletionResponse chat) {
        ArrayNode output = (ArrayNode) envelope.get("output");
        String finish = null;
        if (chat.choices() != null && !chat.choices().isEmpty()) {
            var choice = chat.choices().get(0);
            finish = choice.finishReason();
            ChatResponseMessage message = choice.message();
            if (message != null) {
                JsonNode reasoning = message.extra().get("reasoning_content");
                if (reasoning != null
                        && reasoning.isTextual()
                        && !reasoning.textValue().isEmpty()) {
                    output.add(reasoningItem(ResponseIds.next("rs_"), reasoning.textValue()));
                }
                boolean hasText =
                        message.content() != null && !message.content().isEmpty();
                boolean hasRefusal =
                        message.refusal() != null && !message.refusal().isEmpty();
                if (hasText || hasRefusal) {
                    var item = messageItem(ResponseIds.next("msg_"), "completed");
                    var content = (ArrayNode) item.get("content");
                    if (hasText) {
                        content.add(textPart(message.content()));
                    }
                    if (hasRefusal) {
                        content.addObject().put("type", "refusal").put("refusal", message.refusal());
                    }
                    output.add(item);
                }
                if (message.toolCalls() != null) {
                    for (ToolCall call : message.toolCalls()) {
                        String name =
                                call.function() == null ? "" : call.function().name();
                        String arguments =
                                call.function() == null ? "" : call.function().arguments();
                        output.add(functionCallItem(ResponseIds.next("fc_"), call.id(), name, arguments, "completed"));
                    }
                }
            }
        }
        finish(envelope, finish, usage(chat.usage()));
        return envelope;
    }

    /** Sets status (completed, or incomplete with its reason) and usage. */
    static void finish(ObjectNode response, String finishReason, ObjectNode usage) {
        String incomplete = switch (finishReason == null ? "" : finishReason) {
            case "length" -> "max_output_tokens";
            case "content_filter" -> "content_filter";
            default -> null;
        };
        if (incomplete == null) {
            response.put("status", "completed");
        } else {
            response.put("status", "incomplete");
            response.putObject("incomplete_details").put("reason", incomplete);
        }
        response.set("usage", usage == null ? JSON.nullNode() : usage);
    }

    static ObjectNode messageItem(String id, String status) {
        var item = JSON.objectNode()
                .put("id", id)
                .put("type", "message")
                .put("status", status)
                .put("role", "assistant");
        item.putArray("content");
        return item;
    }

    static ObjectNode textPart(String text) {
        var part = JSON.objectNode().put("type", "output_text").put("text", text);
        part.putArray("annotations");
        part.putArray("logprobs");
        return part;
    }

    static ObjectNode functionCallItem(String id, String callId, String name, String arguments, String status) {
        return JSON.objectNode()
                .put("id", id)
                .put("type", "function_call")
                .put("status", status)
                .put("arguments", arguments == null ? "" : arguments)
                .put("call_id", callId)
                .put("name", name);
    }

    static ObjectNode reasoningItem(String id, String text) {
        var item = JSON.objectNode().put("id", id).put("type", "reasoning");
        item.putArray("summary");
        item.putArray("content").addObject().put("type", "reasoning_text").put("text", text);
        return item;
    }

    /** Chat usage in the Responses API's names; null for none. */
    static ObjectNode usage(Usage usage) {
        if (usage == null) {
            return null;
        }
        JsonNode prompt = usage.extra().get("prompt_tokens_details");
        JsonNode completion = usage.extra().get("completion_tokens_details");
        return usage(
                usage.promptTokens(),
                usage.completionTokens(),
                prompt == null ? 0 : prompt.path("cached_tokens").asLong(0),
                completion == null ? 0 : completion.path("reasoning_tokens").asLong(0));
    }

    static ObjectNode usage(long input, long output, long cached, long reasoning) {
        var usage = JSON.objectNode().put("input_tokens", input);
        usage.putObject("input_tokens_details").put("cached_tokens", cached);
        usage.put("output_tokens", output);
        usage.putObject("output_tokens_details").put("reasoning_tokens", reasoning);
        usage.put("total_tokens", input + output);
        return usage;
    }

    /**
     * A Responses API usage object as the accounts read usage (chat's names, the cached and
     * reasoning counts in their details), or null.
     */
    static Usage accounted(JsonNode usage) {
        if (usage == null || !usage.isObject()) {
            return null;
        }
        long input = usage.path("input_tokens").asLong(0);
        long output = usage.path("output_tokens").asLong(0);
        Map<String, JsonNode> extra = new LinkedHashMap<>();
        extra.put(
                "prompt_tokens_details",
                JSON.objectNode()
                        .put(
                                "cached_tokens",
                                usage.path("input_tokens_details")
                                        .path("cached_tokens")
                                        .asLong(0)));
        extra.put(
                "completion_tokens_details",
                JSON.objectNode()
                        .put(
                                "reasoning_tokens",
                                usage.path("output_tokens_details")
                                        .path("reasoning_tokens")
                                        .asLong(0)));
        return new Usage(input, output, input + output, extra);
    }

    private static JsonNode orNull(JsonNode value) {
        return value == null ? JSON.nullNode() : value;
    }

    private static JsonNode numberOr(JsonNode value, double fallback) {
        return value == null ? JSON.numberNode(fallback) : value;
    }
}
