package io.switchboard.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.api.ApiException;
import io.switchboard.api.Printable;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@code POST /v1/responses} body, checked the way OpenAI checks it (types and ranges of the
 * fields the gateway reads; a 400 naming the parameter otherwise), with its input as a list of
 * items: a string input is one user message. The body itself is kept whole, unknown fields
 * included, for upstreams that speak the Responses API.
 */
final class ResponsesRequest {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final ObjectNode body;
    private final String model;
    private final List<ObjectNode> input;

    private ResponsesRequest(ObjectNode body, String model, List<ObjectNode> input) {
        this.body = body;
        this.model = model;
        this.input = input;
    }

    /** Checks {@code body}; throws a 400 {@link ApiException} naming what is wrong. */
    static ResponsesRequest of(ObjectNode body) {
        JsonNode model = body.get("model");
        if (model == null || model.isNull()) {
            throw ApiException.badRequest(
                    "Missing required parameter: 'model'.", "model", "missing_required_parameter");
        }
        if (!model.isTextual() || model.textValue().isBlank()) {
            throw invalidType("model", "a non-empty string");
        }
        optional(body, "stream", JsonNode::isBoolean, "a boolean");
        optional(body, "store", JsonNode::isBoolean, "a boolean");
        optional(body, "background", JsonNode::isBoolean, "a boolean");
        optional(body, "parallel_tool_calls", JsonNode::isBoolean, "a boolean");
        optional(body, "previous_response_id", JsonNode::isTextual, "a string");
        optional(body, "instructions", node -> node.isTextual() || node.isArray(), "a string");
        optional(body, "tools", JsonNode::isArray, "an array");
        optional(body, "tool_choice", node -> node.isTextual() || node.isObject(), "a string or an object");
        optional(body, "text", JsonNode::isObject, "an object");
        optional(body, "reasoning", JsonNode::isObject, "an object");
        optional(body, "metadata", JsonNode::isObject, "an object");
        range(body, "temperature", 0, 2);
        range(body, "top_p", 0, 1);
        JsonNode max = body.get("max_output_tokens");
        if (max != null && !max.isNull() && (!max.canConvertToInt() || !max.isIntegralNumber() || max.intValue() < 1)) {
            throw ApiException.badRequest(
                    "Invalid 'max_output_tokens': expected an integer of at least 1, got "
                            + Printable.of(max.toString(), 40) + ".",
                    "max_output_tokens",
                    "invalid_value");
        }
        if (body.path("background").asBoolean(false)) {
            throw ApiException.badRequest(
                    "Background responses are not supported by this gateway.", "background", "unsupported_parameter");
        }
        if (body.hasNonNull("conversation")) {
            throw ApiException.badRequest(
                    "Conversations are not supported by this gateway; use previous_response_id.",
                    "conversation",
                    "unsupported_parameter");
        }
        if (body.path("tools").isArray()) {
            int i = 0;
            for (JsonNode tool : body.get("tools")) {
                if (!tool.isObject() || !tool.path("type").isTextual()) {
                    throw ApiException.badRequest(
                            "Invalid 'tools[" + i + "]': expected an object with a type.",
                            "tools[" + i + "]",
                            "invalid_type");
                }
                i++;
            }
        }
        return new ResponsesRequest(body, model.textValue(), items(body.get("input")));
    }

    private static List<ObjectNode> items(JsonNode input) {
        var items = new ArrayList<ObjectNode>();
        if (input == null || input.isNull()) {
            return items;
        }
        if (input.isTextual()) {
            items.add(userMessage(input.textValue()));
            return items;
        }
        if (!input.isArray()) {
            throw invalidType("input", "a string or an array of input items");
        }
        int i = 0;
        for (JsonNode item : input) {
            if (!item.isObject()) {
                throw invalidType("input[" + i + "]", "an object");
            }
            JsonNode type = item.get("type");
            if (type != null && !type.isTextual()) {
                throw invalidType("input[" + i + "].type", "a string");
            }
            if ((type == null || "message".equals(type.textValue()))
                    && !item.path("role").isTextual()) {
                throw ApiException.badRequest(
                        "Missing required parameter: 'input[" + i + "].role'.",
                        "input[" + i + "].role",
                        "missing_required_parameter");
            }
            items.add(((ObjectNode) item).deepCopy());
            i++;
        }
        return items;
    }

    static ObjectNode userMessage(String text) {
        var message = JSON.objectNode().put("type", "message").put("role", "user");
        message.putArray("content").addObject().put("type", "input_text").put("text", text);
        return message;
    }

    private static void optional(
            ObjectNode body, String field, java.util.function.Predicate<JsonNode> ok, String expected) {
        JsonNode value = body.get(field);
        if (value != null && !value.isNull() && !ok.test(value)) {
            throw invalidType(field, expected);
        }
    }

    private static void range(ObjectNode body, String field, double min, double max) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return;
        }
        if (!value.isNumber() || value.doubleValue() < min || value.doubleValue() > max) {
            throw ApiException.badRequest(
                    "Invalid '" + field + "': expected a number from " + (int) min + " to " + (int) max + ", got "
                            + Printable.of(value.toString(), 40) + ".",
                    field,
                    "invalid_value");
        }
    }

    private static ApiException invalidType(String param, String expected) {
        return ApiException.badRequest(
                "Invalid type for '" + param + "': expected " + expected + ".", param, "invalid_type");
    }

    ObjectNode body() {
        return body;
    }

    String model() {
        return model;
    }

    /** This request's input items (copies), a string input as one user message. */
    List<ObjectNode> input() {
        return input;
    }

    boolean stream() {
        return body.path("stream").asBoolean(false);
    }

    /** OpenAI stores responses unless told not to. */
    boolean store() {
        return body.path("store").asBoolean(true);
    }

    String previousResponseId() {
        JsonNode id = body.get("previous_response_id");
        return id == null || id.isNull() ? null : id.textValue();
    }

    JsonNode get(String field) {
        JsonNode value = body.get(field);
        return value == null || value.isNull() ? null : value;
    }

    ArrayNode inputArray() {
        var array = JSON.arrayNode();
        input.forEach(array::add);
        return array;
    }
}
