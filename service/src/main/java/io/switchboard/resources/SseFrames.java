package io.switchboard.resources;

import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Server-sent event frames as bytes, as the HTML specification's event stream format has them:
 * an optional {@code event:} line, one {@code data:} line per line of the data (a data that holds
 * line breaks is split at each {@code \r\n}, {@code \r} or {@code \n}), and a blank line; a
 * comment is a line that starts with a colon. UTF-8 throughout.
 */
final class SseFrames {

    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EVENT = "event: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "\n\n".getBytes(StandardCharsets.US_ASCII);

    private SseFrames() {}

    /** An unnamed event whose data is {@code value} serialised as JSON (one line: JSON escapes line breaks). */
    static ByteArrayBuilder json(ByteArrayBuilder out, ObjectMapper mapper, Object value) {
        out.write(DATA);
        try {
            mapper.writeValue(out, value); // closing a ByteArrayBuilder does nothing
        } catch (IOException e) {
            throw new IllegalStateException("A wire record could not be serialised", e);
        }
        out.write(END);
        return out;
    }

    /** An unnamed event. */
    static ByteArrayBuilder data(ByteArrayBuilder out, String data) {
        return event(out, null, data);
    }

    /** An event named {@code name} (none when null) carrying {@code data}. */
    static ByteArrayBuilder event(ByteArrayBuilder out, String name, String data) {
        if (name != null) {
            out.write(EVENT);
            out.write(oneLine(name).getBytes(StandardCharsets.UTF_8));
            out.append('\n');
        }
        int start = 0;
        int length = data.length();
        for (int i = 0; i < length; i++) {
            char c = data.charAt(i);
            if (c == '\n' || c == '\r') {
                dataLine(out, data.substring(start, i));
                if (c == '\r' && i + 1 < length && data.charAt(i + 1) == '\n') {
                    i++;
                }
                start = i + 1;
            }
        }
        out.write(DATA);
        out.write(data.substring(start).getBytes(StandardCharsets.UTF_8));
        out.write(END);
        return out;
    }

    /** A comment line and the blank line after it ({@code : keep-alive}). */
    static ByteArrayBuilder comment(ByteArrayBuilder out, String text) {
        out.append(':');
        out.append(' ');
        out.write(oneLine(text).getBytes(StandardCharsets.UTF_8));
        out.write(END);
        return out;
    }

    private static void dataLine(ByteArrayBuilder out, String line) {
        out.write(DATA);
        out.write(line.getBytes(StandardCharsets.UTF_8));
        out.append('\n');
    }

    /** An event name or comment cannot span lines; a line break in one would start a field. */
    private static String oneLine(String text) {
        return text.replace('\r', ' ').replace('\n', ' ');
    }
}
