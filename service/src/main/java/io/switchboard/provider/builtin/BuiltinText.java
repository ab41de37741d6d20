package io.switchboard.provider.builtin;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.api.ChatMessage;

import java.util.ArrayList;
import java.util.List;

/**
 * The builtin provider's pure text functions: what it answers and how it counts. A "token" here
 * is a whitespace-separated word, which keeps counts exact and easy to check by eye.
 */
final class BuiltinText {

    static final String NO_INPUT = "(The builtin echo model repeats your last user message; there was none.)";

    private BuiltinText() {}

    /** The reply to a conversation: its last user message, word for word. */
    static String reply(List<ChatMessage> messages) {
        for (int i = messages.size() - 1; i >= 0; i--) {
            ChatMessage message = messages.get(i);
            if ("user".equals(message.role())) {
                String text = message.text().strip();
                return text.isEmpty() ? NO_INPUT : text;
            }
        }
        return NO_INPUT;
    }

    static List<String> words(String text) {
        var words = new ArrayList<String>();
        for (String word : text.strip().split("\\s+")) {
            if (!word.isEmpty()) {
                words.add(word);
            }
        }
        return words;
    }

    static long countTokens(List<ChatMessage> messages) {
        long count = 0;
        for (ChatMessage message : messages) {
            count += words(message.text()).size();
        }
        return count;
    }

    /** The text of a prompt or input: a string, an array of strings, or token arrays. */
    static List<String> inputs(JsonNode input) {
        var inputs = new ArrayList<String>();
        if (input == null || input.isNull()) {
            return inputs;
        }
        if (input.isTextual()) {
            inputs.add(input.textValue());
        } else if (input.isArray()) {
            boolean tokens = input.size() > 0 && input.get(0).isNumber();
            if (tokens) {
                inputs.add(input.toString());
            } else {
                for (JsonNode item : input) {
                    inputs.add(item.isTextual() ? item.textValue() : item.toString());
                }
            }
        } else {
            inputs.add(input.toString());
        }
        return inputs;
    }

    /** At most {@code limit} words of {@code words}; all when limit is null. */
    static List<String> truncate(List<String> words, Integer limit) {
        return limit == null || words.size() <= limit ? words : words.subList(0, Math.max(0, limit));
    }
}
