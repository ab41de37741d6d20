package io.switchboard.api;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.util.List;
import java.util.Map;

/**
 * One message of a chat request. {@code content} stays a JSON node because OpenAI allows a
 * string, an array of content parts (text, image_url, input_audio, file …) or null.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChatMessage(
        String role,
        JsonNode content,
        String name,
        @JsonProperty("tool_calls") List<ToolCall> toolCalls,
        @JsonProperty("tool_call_id") String toolCallId,
        @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> extra) {

    public ChatMessage {
        extra = Extras.copy(extra);
    }

    /** A plain text message from the user. */
    public static ChatMessage user(String text) {
        return new ChatMessage("user", TextNode.valueOf(text), null, null, null, Map.of());
    }

    /**
     * The text of this message: the string content, or its text parts joined by a newline.
     * Parts that are not text are left out.
     */
    public String text() {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isTextual()) {
            return content.textValue();
        }
        var text = new StringBuilder();
        for (JsonNode part : content) {
            JsonNode partText = part.get("text");
            if (partText != null && partText.isTextual()) {
                if (!text.isEmpty()) {
                    text.append('\n');
                }
                text.append(partText.textValue());
            }
        }
        return text.toString();
    }
}
