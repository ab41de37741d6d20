package io.switchboard.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.api.ChatCompletionRequest;
import io.switchboard.api.ErrorDetail;

import java.util.List;

/**
 * A Responses API request as a chat completion request: {@code instructions} become the system
 * message, input items become messages (consecutive {@code function_call} items one assistant
 * message with tool calls, {@code function_call_output} a tool message), function tools and
 * {@code tool_choice} their chat forms, {@code text.format} the {@code response_format},
 * {@code reasoning.effort} the {@code reasoning_effort}, {@code max_output_tokens} the
 * {@code max_tokens}. Pure: what has no chat equivalent (built-in tools, file inputs, item
 * references) is refused with the parameter at fault, never silently dropped; reasoning items
 * from earlier turns are left out (chat has no place for them).
 */
final class ChatTranslation {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private ChatTranslation() {}

    /** The outcome: a chat request, or why there is none (a 400's detail). */
    record Result(ChatCompletionRequest request, ErrorDetail refusal) {}

    /**
     * @param conversation the items before this request's (a previous response's input and
     *                     output, expanded), then this request's
     */
    static Result of(ObjectMapper mapper, ResponsesRequest request, List<ObjectNode> conversation, boolean stream) {
        try {
            return new Result(
                    mapper.treeToValue(chatBody(request, conversation, stream), ChatCompletionRequest.class), null);
        } catch (Refusal refusal) {
            return new Result(null, refusal.detail);
        } catch (java.io.IOException | IllegalArgumentException e) {
            return new Result(
                    null,
                    ErrorDetail.invalidRequest(
                            "The request cannot be sent as a chat completion: " + e.getMessage(),
                            "input",
                            "unsupported_value"));
        }
    }

    static ObjectNode chatBody(ResponsesRequest request, List<ObjectNode> conversation, boolean stream) {
        var chat = JSON.objectNode().put("model", request.model());
        ArrayNode messages = chat.putArray("messages");
        JsonNode instructions = request.get("instructions");
        if (instructions != null && instructions.isTextual()) {
            messages.addObject().put("role", "system").put("content", instructions.textValue());
        } else if (instructions != null) {
            int i = 0;
            for (JsonNode item : instructions) {
                if (!item.isObject()) {
                    throw new Refusal("Invalid 'instructions[" + i + "]': expected an object.", "instructions");
                }
                addItem(messages, (ObjectNode) item, "instructions[" + i++ + "]");
            }
        }
        int i = 0;
        for (ObjectNode item : conversation) {
            addItem(messages, item, "input[" + i++ + "]");
        }
        if (messages.isEmpty()) {
            throw new Refusal("Missing required parameter: 'input'.", "input", "missing_required_parameter");
        }
        if (stream) {
            chat.put("stream", true);
        }
        copy(request, "temperature", chat, "temperature");
        copy(request, "top_p", chat, "top_p");
        copy(request, "max_output_tokens", chat, "max_tokens");
        copy(request, "user", chat, "user");
        copy(request, "safety_identifier", chat, "safety_identifier");
        copy(request, "prompt_cache_key", chat, "prompt_cache_key");
        copy(request, "service_tier", chat, "service_tier");
        copy(request, "top_logprobs", chat, "top_logprobs");
        tools(request, chat);
        textFormat(request.get("text"), chat);
        JsonNode reasoning = request.get("reasoning");
        if (reasoning != null && reasoning.path("effort").isTextual()) {
            chat.put("reasoning_effort", reasoning.get("effort").textValue());
        }
        return chat;
    }

    private static void addItem(ArrayNode messages, ObjectNode item, String where) {
        String type = item.path("type").asText("message");
        switch (type) {
            case "message" -> messages.add(message(item, where));
            case "function_call" -> functionCall(messages, item, where);
            case "function_call_output" -> {
                var tool = messages.addObject().put("role", "tool");
                tool.put("tool_call_id", text(item, "call_id", where));
                JsonNode output = item.get("output");
                tool.put("content", output == null ? "" : output.isTextual() ? output.textValue() : partsText(output));
            }
            case "reasoning" -> {} // chat has nowhere to put an earlier turn's reasoning
            default ->
                throw new Refusal(
                        "Input items of type '" + type + "' cannot be sent to this model: it is served through chat"
                                + " completions, which have no equivalent.",
                        where,
                        "unsupported_value");
        }
    }

    private static ObjectNode message(ObjectNode item, String where) {
        String role = item.path("role").asText();
        String chatRole = switch (role) {
            case "user", "assistant", "system" -> role;
            case "developer" -> "system";
            default ->
                throw new Refusal(
                        "Invalid value for '" + where + ".role': '" + role + "'.", where + ".role", "invalid_value");
        };
        var message = JSON.objectNode().put("role", chatRole);
        JsonNode content = item.get("content");
        if (content == null || content.isNull()) {
            message.put("content", "");
        } else if (content.isTextual()) {
            message.put("content", content.textValue());
        } else if (!content.isArray()) {
            throw new Refusal(
                    "Invalid type for '" + where + ".content': expected a string or an array.",
                    where + ".content",
                    "invalid_type");
        } else if (chatRole.equals("user")) {
            message.set("content", userParts(content, where + ".content"));
        } else {
            message.put("content", partsText(content));
        }
        return message;
    }

    private static ArrayNode userParts(JsonNode content, String where) {
        var parts = JSON.arrayNode();
        int i = 0;
        for (JsonNode part : content) {
            String at = where + "[" + i++ + "]";
            String type = part.path("type").asText("");
            switch (type) {
                case "input_text", "output_text", "text" ->
                    parts.addObject()
                            .put("type", "text")
                            .put("text", part.path("text").asText(""));
                case "input_image" -> {
                    if (!part.path("image_url").isTextual()) {
                        throw new Refusal(
                                "Images by file_id cannot be sent to this model; give an image_url.",
                                at,
                                "unsupported_value");
                    }
                    var image = parts.addObject().put("type", "image_url").putObject("image_url");
                    image.put("url", part.get("image_url").textValue());
                    if (part.path("detail").isTextual()) {
                        image.put("detail", part.get("detail").textValue());
                    }
                }
                default ->
                    throw new Refusal(
                            "Content of type '" + type
                                    + "' cannot be sent to this model (served through chat completions).",
                            at,
                            "unsupported_value");
            }
        }
        return parts;
    }

    /** The text of an assistant's or system's content parts (output_text, refusal, input_text). */
    private static String partsText(JsonNode content) {
        var text = new StringBuilder();
        for (JsonNode part : content) {
            JsonNode value = part.has("text") ? part.get("text") : part.get("refusal");
            if (value != null && value.isTextual()) {
                text.append(value.textValue());
            }
        }
        return text.toString();
    }

    /** A function call joins the assistant message before it, or opens one. */
    private static void functionCall(ArrayNode messages, ObjectNode item, String where) {
        ObjectNode assistant = null;
        if (!messages.isEmpty()) {
            var last = (ObjectNode) messages.get(messages.size() - 1);
            if ("assistant".equals(last.path("role").asText())) {
                assistant = last;
            }
        }
        if (assistant == null) {
            assistant = messages.addObject().put("role", "assistant");
            assistant.putNull("content");
        }
        ArrayNode calls = assistant.has("tool_calls")
                ? (ArrayNode) assistant.get("tool_calls")
                : assistant.putArray("tool_calls");
        var call = calls.addObject().put("id", text(item, "call_id", where)).put("type", "function");
        call.putObject("function")
                .put("name", text(item, "name", where))
                .put("arguments", item.path("arguments").asText("{}"));
    }

    private static void tools(ResponsesRequest request, ObjectNode chat) {
        JsonNode tools = request.get("tools");
        if (tools != null && !tools.isEmpty()) {
            ArrayNode chatTools = chat.putArray("tools");
            int i = 0;
            for (JsonNode tool : tools) {
                String type = tool.path("type").asText();
                if (!type.equals("function")) {
                    throw new Refusal(
                            "Tools of type '" + type + "' cannot be used with this model: it is served through chat"
                                    + " completions, which have function tools only.",
                            "tools[" + i + "]",
                            "unsupported_value");
                }
                var function = chatTools.addObject().put("type", "function").putObject("function");
                function.put("name", text((ObjectNode) tool, "name", "tools[" + i + "]"));
                for (String field : List.of("description", "parameters", "strict")) {
                    if (tool.hasNonNull(field)) {
                        function.set(field, tool.get(field));
                    }
                }
                i++;
            }
            copy(request, "parallel_tool_calls", chat, "parallel_tool_calls");
        }
        JsonNode choice = request.get("tool_choice");
        if (choice == null) {
            return;
        }
        if (choice.isTextual()) {
            chat.put("tool_choice", choice.textValue());
        } else if ("function".equals(choice.path("type").asText())) {
            chat.putObject("tool_choice")
                    .put("type", "function")
                    .putObject("function")
                    .put("name", choice.path("name").asText());
        } else {
            throw new Refusal(
                    "tool_choice of type '" + choice.path("type").asText() + "' cannot be used with this model.",
                    "tool_choice",
                    "unsupported_value");
        }
    }

    private static void textFormat(JsonNode text, ObjectNode chat) {
        JsonNode format = text == null ? null : text.get("format");
        if (format == null || !format.isObject()) {
            return;
        }
        switch (format.path("type").asText()) {
            case "text" -> {}
            case "json_object" -> chat.putObject("response_format").put("type", "json_object");
            case "json_schema" -> {
                var schema = chat.putObject("response_format")
                        .put("type", "json_schema")
                        .putObject("json_schema");
                for (String field : List.of("name", "description", "schema", "strict")) {
                    if (format.hasNonNull(field)) {
                        schema.set(field, format.get(field));
                    }
                }
            }
            default ->
                throw new Refusal(
                        "Invalid value for 'text.format.type': '"
                                + format.path("type").asText() + "'.",
                        "text.format.type",
                        "invalid_value");
        }
    }

    private static String text(ObjectNode item, String field, String where) {
        JsonNode value = item.get(field);
        if (value == null || !value.isTextual()) {
            throw new Refusal(
                    "Missing required parameter: '" + where + "." + field + "'.",
                    where + "." + field,
                    "missing_required_parameter");
        }
        return value.textValue();
    }

    private static void copy(ResponsesRequest request, String from, ObjectNode chat, String to) {
        JsonNode value = request.get(from);
        if (value != null) {
            chat.set(to, value);
        }
    }

    /** What the chat API cannot say: a 400 detail, thrown while building and caught by {@link #of}. */
    static final class Refusal extends RuntimeException {

        private static final long serialVersionUID = 1L;
        final transient ErrorDetail detail;

        Refusal(String message, String param) {
            this(message, param, "unsupported_value");
        }

        Refusal(String message, String param, String code) {
            super(message, null, false, false);
            this.detail = ErrorDetail.invalidRequest(message, param, code);
        }
    }
}
