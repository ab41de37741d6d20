package io.switchboard.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, for requests no HTTP client will send: broken framing, smuggling
 * attempts, bad request lines, lies in Content-Length. Sends the bytes as they are and reads
 * everything the server writes until it closes the connection.
 */
final class RawHttp {

    private RawHttp() {}

    /** One response as read off the wire; {@code responses} counts status lines seen in total. */
    record Response(
            int status, Map<String, String> headers, byte[] body, int responses, Duration elapsed, boolean timedOut) {

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /**
     * Sends {@code request} to 127.0.0.1:{@code port}. With {@code halfClose} the client then
     * shuts its side (an upload that ends early); otherwise it only waits. Reads until the server
     * closes or {@code timeout} passes.
     */
    static Response exchange(int port, byte[] request, boolean halfClose, Duration timeout) throws IOException {
        long start = System.nanoTime();
        try (var socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout((int) timeout.toMillis());
            OutputStream out = socket.getOutputStream();
            try {
                out.write(request);
                out.flush();
                if (halfClose) {
                    socket.shutdownOutput();
                }
            } catch (IOException serverClosedEarly) {
                // The server may answer and close before the whole request is written (413 at once).
            }
            var raw = new ByteArrayOutputStream();
            boolean timedOut = false;
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8192];
            try {
                int read;
                while ((read = in.read(buffer)) != -1) {
                    raw.write(buffer, 0, read);
                }
            } catch (SocketTimeoutException e) {
                timedOut = true;
            } catch (IOException reset) {
                // A reset after the response is as good as a close.
            }
            return parse(raw.toByteArray(), Duration.ofNanos(System.nanoTime() - start), timedOut);
        }
    }

    static Response parse(byte[] raw, Duration elapsed, boolean timedOut) {
        String all = new String(raw, StandardCharsets.ISO_8859_1);
        int responses = countStatusLines(all);
        int headerEnd = all.indexOf("\r\n\r\n");
        if (!all.startsWith("HTTP/1.") || headerEnd < 0) {
            return new Response(0, Map.of(), raw, responses, elapsed, timedOut);
        }
        String[] lines = all.substring(0, headerEnd).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        var headers = new LinkedHashMap<String, String>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.merge(
                        lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).strip(),
                        (a, b) -> a + ", " + b);
            }
        }
        byte[] rest = Arrays.copyOfRange(raw, headerEnd + 4, raw.length);
        byte[] body;
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = dechunk(rest);
        } else if (headers.containsKey("content-length")) {
            int length = Integer.parseInt(headers.get("content-length"));
            body = Arrays.copyOf(rest, Math.min(length, rest.length));
        } else {
            body = rest;
        }
        return new Response(status, headers, body, responses, elapsed, timedOut);
    }

    private static int countStatusLines(String all) {
        int count = 0;
        for (String line : all.split("\r\n")) {
            if (line.matches("HTTP/1\\.[01] \\d{3}.*")) {
                count++;
            }
        }
        return count;
    }

    private static byte[] dechunk(byte[] chunked) {
        var out = new ByteArrayOutputStream();
        int at = 0;
        while (at < chunked.length) {
            int lineEnd = indexOf(chunked, at);
            if (lineEnd < 0) {
                break;
            }
            String sizeLine = new String(chunked, at, lineEnd - at, StandardCharsets.ISO_8859_1).split(";")[0].strip();
            int size = Integer.parseInt(sizeLine, 16);
            if (size == 0) {
                break;
            }
            out.write(chunked, lineEnd + 2, Math.min(size, chunked.length - lineEnd - 2));
            at = lineEnd + 2 + size + 2;
        }
        return out.toByteArray();
    }

    private static int indexOf(byte[] bytes, int from) {
        for (int i = from; i < bytes.length - 1; i++) {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** A request: the request line, the headers in order (name, value, name, value …), then the body. */
    static byte[] request(String requestLine, List<String> headers, byte[] body) {
        var out = new ByteArrayOutputStream();
        var head = new StringBuilder(requestLine).append("\r\n");
        for (int i = 0; i + 1 < headers.size(); i += 2) {
            head.append(headers.get(i)).append(": ").append(headers.get(i + 1)).append("\r\n");
        }
        head.append("\r\n");
        out.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(body);
        return out.toByteArray();
    }

    static List<String> headers(String... namesAndValues) {
        return new ArrayList<>(List.of(namesAndValues));
    }
}
