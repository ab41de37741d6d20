package io.switchboard.messages;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Rewrites the {@code model} string of a JSON document in place, leaving every other byte as it
 * was: a pass-through is byte-faithful except for the one field the gateway must change. The
 * value is found with a streaming parser (never by searching the text), at the top level or one
 * object down ({@code message_start}'s {@code message.model}).
 */
final class ModelField {

    private static final JsonFactory FACTORY = new JsonFactory();

    private ModelField() {}

    /** {@code json} with its top-level {@code model} set to {@code model}; unchanged without one. */
    static byte[] replace(byte[] json, String model) {
        return replace(json, null, model);
    }

    /**
     * {@code json} with {@code within.model} (or the top-level {@code model} when {@code within} is
     * null) set to {@code model}; unchanged when there is no such string.
     */
    static byte[] replace(byte[] json, String within, String model) {
        try (JsonParser parser = FACTORY.createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return json;
            }
            if (within != null) {
                if (!seek(parser, within) || parser.currentToken() != JsonToken.START_OBJECT) {
                    return json;
                }
            }
            if (!seek(parser, "model") || parser.currentToken() != JsonToken.VALUE_STRING) {
                return json;
            }
            int start = (int) parser.currentTokenLocation().getByteOffset();
            parser.getText(); // finishes the token, so the location is past its closing quote
            int end = (int) parser.currentLocation().getByteOffset();
            if (start < 0 || end <= start || end > json.length) {
                return json;
            }
            byte[] quoted = quote(model);
            byte[] out = new byte[json.length - (end - start) + quoted.length];
            System.arraycopy(json, 0, out, 0, start);
            System.arraycopy(quoted, 0, out, start, quoted.length);
            System.arraycopy(json, end, out, start + quoted.length, json.length - end);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("A JSON body the gateway had parsed could not be read again", e);
        }
    }

    /** The text of an event's data with {@code message.model} rewritten. */
    static String replaceInMessage(String data, String model) {
        byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
        byte[] replaced = replace(bytes, "message", model);
        return replaced == bytes ? data : new String(replaced, StandardCharsets.UTF_8);
    }

    /** Moves the parser, inside an object, to the value of its field {@code name}; false when absent. */
    private static boolean seek(JsonParser parser, String name) throws IOException {
        JsonToken token;
        while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            parser.nextToken();
            if (name.equals(field)) {
                return true;
            }
            parser.skipChildren();
        }
        return false;
    }

    private static byte[] quote(String value) {
        byte[] escaped = JsonStringEncoder.getInstance().quoteAsUTF8(value);
        byte[] out = new byte[escaped.length + 2];
        out[0] = '"';
        System.arraycopy(escaped, 0, out, 1, escaped.length);
        out[out.length - 1] = '"';
        return out;
    }
}
