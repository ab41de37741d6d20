package io.switchboard.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.testing.ResourceHelpers;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.switchboard.SwitchboardApplication;
import io.switchboard.SwitchboardConfiguration;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bad-input suite: hostile requests over a raw socket, each with the status and error type
 * it must get. Expectations follow OpenAI: what it accepts is accepted (role developer, unknown
 * fields), what it rejects is a 4xx {@code invalid_request_error} naming the parameter. Errors
 * raised by Jetty below Jersey (bad request line, headers too large, broken chunking) must be the
 * same JSON, never HTML or an empty body. Nothing may produce a 5xx (an HTTP version the server
 * does not speak is the client's error too: 400), a stack trace or a hang, and the server answers
 * normally after.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileInputIntegrationTest {

    static final String KEY = "sb-hostile-suite-key-7c2e91";
    private static final DropwizardAppExtension<SwitchboardConfiguration> APP = new DropwizardAppExtension<>(
            SwitchboardApplication.class, ResourceHelpers.resourceFilePath("hostile-test-config.yml"));
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String INVALID = "invalid_request_error";
    private static final String CHAT = "/v1/chat/completions";
    private static final String USER = "{\"role\":\"user\",\"content\":\"hi\"}";
    private static final String VALID = "{\"model\":\"echo\",\"messages\":[" + USER + "]}";
    private static final String TOOL = "{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":{}}}";
    /** Over the suite's 64 KiB limit. */
    private static final int OVERSIZE = 70 * 1024;

    /** One hostile request and what it must get; {@code type} null for an accepted request. */
    record Hostile(String name, byte[] request, int status, String type, String param, boolean halfClose) {

        @Override
        public String toString() {
            return name;
        }
    }

    // ---- building requests ----

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] latin1(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] concat(byte[]... parts) {
        var out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static byte[] gzip(byte[] data) {
        var out = new ByteArrayOutputStream();
        try (var zip = new GZIPOutputStream(out)) {
            zip.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** A POST with the suite's key, Connection: close, the given Content-Type (none when null) and a correct length. */
    private static byte[] post(String path, String contentType, byte[] body, String... extraHeaders) {
        var headers = RawHttp.headers("Host", "127.0.0.1", "Connection", "close", "Authorization", "Bearer " + KEY);
        if (contentType != null) {
            headers.addAll(List.of("Content-Type", contentType));
        }
        headers.addAll(List.of("Content-Length", Integer.toString(body.length)));
        headers.addAll(List.of(extraHeaders));
        return RawHttp.request("POST " + path + " HTTP/1.1", headers, body);
    }

    private static byte[] postJson(String body) {
        return post(CHAT, "application/json", utf8(body));
    }

    /** A request with exactly these headers (no key, no length unless given) and this body. */
    private static byte[] raw(String requestLine, List<String> headers, byte[] body) {
        return RawHttp.request(requestLine, headers, body);
    }

    private static byte[] withKey(String requestLine, String... more) {
        var headers = RawHttp.headers("Host", "127.0.0.1", "Connection", "close", "Authorization", "Bearer " + KEY);
        headers.addAll(List.of(more));
        return RawHttp.request(requestLine, headers, new byte[0]);
    }

    private static Hostile bad(String name, byte[] request, int status, String param) {
        return new Hostile(name, request, status, INVALID, param, false);
    }

    private static Hostile chat(String name, String body, int status, String param) {
        return bad(name, postJson(body), status, param);
    }

    private static Hostile accepted(String name, byte[] request) {
        return new Hostile(name, request, 200, null, null, false);
    }

    private static String messages(String... messages) {
        return "{\"model\":\"echo\",\"messages\":[" + String.join(",", messages) + "]}";
    }

    private static String with(String field) {
        return "{\"model\":\"echo\",\"messages\":[" + USER + "]," + field + "}";
    }

    private static String model(String modelJson) {
        return "{\"model\":" + modelJson + ",\"messages\":[" + USER + "]}";
    }

    // ---- the cases ----

    static List<Hostile> cases() {
        var cases = new ArrayList<Hostile>();

        // JSON that is not JSON, or not an object
        cases.add(chat("invalid JSON", "{bad json", 400, null));
        cases.add(chat(
                "truncated JSON",
                "{\"model\":\"echo\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"",
                400,
                null));
        cases.add(chat("empty body", "", 400, null));
        cases.add(chat("whitespace only", " \n\t ", 400, null));
        cases.add(chat("null", "null", 400, null));
        cases.add(chat("top-level array", "[" + VALID + "]", 400, null));
        cases.add(chat("top-level string", "\"" + VALID.replace("\"", "\\\"") + "\"", 400, null));
        cases.add(chat("top-level number", "42", 400, null));
        cases.add(chat("top-level boolean", "true", 400, null));
        cases.add(chat("trailing garbage", VALID + " xyz", 400, null));
        cases.add(chat("two objects", VALID + VALID, 400, null));
        cases.add(chat("single quotes", "{'model':'echo','messages':[]}", 400, null));
        cases.add(chat("comments", "/* hi */" + VALID, 400, null));
        cases.add(chat("NaN", with("\"temperature\":NaN"), 400, null));
        cases.add(bad(
                "raw NUL inside a string",
                post(
                        CHAT,
                        "application/json",
                        concat(
                                utf8("{\"model\":\"echo\",\"messages\":[{\"role\":\"user\",\"content\":\"a"),
                                new byte[] {0},
                                utf8("b\"}]}"))),
                400,
                null));
        cases.add(bad(
                "invalid UTF-8",
                post(
                        CHAT,
                        "application/json",
                        concat(
                                utf8("{\"model\":\"echo\",\"messages\":" + "[{\"role\":\"user\",\"content\":\""),
                                new byte[] {(byte) 0xC3, 0x28},
                                utf8("\"}]}"))),
                400,
                null));
        cases.add(bad(
                "overlong UTF-8 encoding of '/'",
                post(
                        CHAT,
                        "application/json",
                        concat(
                                utf8("{\"model\":\"echo"),
                                new byte[] {(byte) 0xC0, (byte) 0xAF},
                                utf8("x\",\"messages\":[" + USER + "]}"))),
                400,
                null));
        cases.add(bad(
                "UTF-8-encoded surrogate",
                post(
                        CHAT,
                        "application/json",
                        concat(
                                utf8("{\"model\":\"echo\"," + "\"messages\":[{\"role\":\"user\",\"content\":\""),
                                new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                                utf8("\"}]}"))),
                400,
                null));
        cases.add(
                bad("UTF-16 body", post(CHAT, "application/json", VALID.getBytes(StandardCharsets.UTF_16)), 400, null));
        cases.add(bad(
                "UTF-8 cut in the middle of a character",
                post(
                        CHAT,
                        "application/json",
                        concat(
                                utf8("{\"model\":\"echo\",\"messages\":[{\"role\":\"user\",\"content\":\"\u20ac"),
                                new byte[] {(byte) 0xE2, (byte) 0x82},
                                utf8("\"}]}"))),
                400,
                null));
        cases.add(accepted(
                "UTF-8 byte order mark",
                post(
                        CHAT,
                        "application/json",
                        concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, utf8(VALID)))));
        cases.add(accepted(
                "lone surrogate escape", postJson(messages("{\"role\":\"user\",\"content\":\"a \\ud800 b\"}"))));
        cases.add(chat(
                "duplicate top-level key",
                "{\"model\":\"nope\",\"model\":\"echo\",\"messages\":[" + USER + "]}",
                400,
                "model"));
        cases.add(chat(
                "duplicate nested key",
                messages("{\"role\":\"user\",\"role\":\"system\",\"content\":\"hi\"}"),
                400,
                "messages[0].role"));
        cases.add(chat("huge exponent", with("\"temperature\":1e999"), 400, "temperature"));
        cases.add(chat("number with 200 digits", with("\"seed\":" + "9".repeat(200)), 400, null));
        cases.add(chat("integer beyond 32 bits", with("\"n\":99999999999"), 400, "n"));
        cases.add(chat(
                "arrays nested 10000 deep",
                with("\"metadata\":" + "[".repeat(10_000) + "]".repeat(10_000)),
                400,
                "metadata"));
        cases.add(chat(
                "objects nested 100 deep",
                with("\"metadata\":" + "{\"a\":".repeat(100) + "1" + "}".repeat(100)),
                400,
                null));
        cases.add(chat("a key of 2000 characters", with("\"" + "k".repeat(2000) + "\":1"), 400, null));
        var manyFields = new StringBuilder();
        for (int i = 0; i < 3000; i++) {
            manyFields.append("\"x_").append(i).append("\":").append(i).append(',');
        }
        cases.add(accepted(
                "3000 unknown fields", postJson("{" + manyFields + "\"model\":\"echo\",\"messages\":[" + USER + "]}")));
        cases.add(accepted(
                "unknown fields at every level",
                postJson("{\"model\":\"echo\",\"x\":{\"y\":[1]},\"messages\":"
                        + "[{\"role\":\"user\",\"content\":\"hi\",\"cache_control\":{\"type\":\"ephemeral\"}}],"
                        + "\"reasoning_effort\":\"low\",\"stream_options\":null}")));

        // fields: missing, wrong type, out of range (OpenAI's rules)
        cases.add(chat("missing model", "{\"messages\":[" + USER + "]}", 400, "model"));
        cases.add(chat("model as a number", model("123"), 400, "model"));
        cases.add(chat("model null", model("null"), 400, "model"));
        cases.add(chat("missing messages", "{\"model\":\"echo\"}", 400, "messages"));
        cases.add(chat("empty messages", "{\"model\":\"echo\",\"messages\":[]}", 400, "messages"));
        cases.add(chat("messages as a string", "{\"model\":\"echo\",\"messages\":\"hi\"}", 400, "messages"));
        cases.add(chat("null message", messages("null"), 400, "messages[0]"));
        cases.add(chat("message without role", messages("{\"content\":\"hi\"}"), 400, "messages[0].role"));
        cases.add(chat("unknown role", messages("{\"role\":\"wizard\",\"content\":\"hi\"}"), 400, "messages[0].role"));
        cases.add(accepted(
                "role developer", postJson(messages("{\"role\":\"developer\",\"content\":\"Be brief.\"}", USER))));
        cases.add(chat("role as a number", messages("{\"role\":7,\"content\":\"hi\"}"), 400, "messages[0].role"));
        cases.add(chat(
                "content as a number", messages("{\"role\":\"user\",\"content\":42}"), 400, "messages[0].content"));
        cases.add(chat(
                "content part without type",
                messages("{\"role\":\"user\",\"content\":[{\"text\":\"hi\"}]}"),
                400,
                "messages[0].content[0]"));
        cases.add(chat(
                "text part with a number for text",
                messages("{\"role\":\"user\",\"content\":["
                        + "{\"type\":\"text\",\"text\":\"hi\"},{\"type\":\"text\",\"text\":42}]}"),
                400,
                "messages[0].content[1].text"));
        cases.add(chat(
                "image_url part with a number for image_url",
                messages("{\"role\":\"user\",\"content\":[" + "{\"type\":\"image_url\",\"image_url\":12}]}"),
                400,
                "messages[0].content[0].image_url"));
        cases.add(chat(
                "image_url url not a string",
                messages("{\"role\":\"user\",\"content\":["
                        + "{\"type\":\"image_url\",\"image_url\":{\"url\":{\"href\":\"x\"}}}]}"),
                400,
                "messages[0].content[0].image_url.url"));
        cases.add(chat(
                "input_audio format unknown",
                messages("{\"role\":\"user\",\"content\":["
                        + "{\"type\":\"input_audio\",\"input_audio\":{\"data\":\"AA\",\"format\":\"ogg\"}}]}"),
                400,
                "messages[0].content[0].input_audio.format"));
        cases.add(chat("temperature above 2", with("\"temperature\":2.5"), 400, "temperature"));
        cases.add(chat("temperature below 0", with("\"temperature\":-0.5"), 400, "temperature"));
        cases.add(chat("temperature as a string", with("\"temperature\":\"0.7\""), 400, "temperature"));
        cases.add(chat("top_p above 1", with("\"top_p\":1.5"), 400, "top_p"));
        cases.add(chat("top_p below 0", with("\"top_p\":-1"), 400, "top_p"));
        cases.add(chat("n zero", with("\"n\":0"), 400, "n"));
        cases.add(chat("n above 128", with("\"n\":129"), 400, "n"));
        cases.add(chat("n fractional", with("\"n\":1.5"), 400, "n"));
        cases.add(chat("max_tokens zero", with("\"max_tokens\":0"), 400, "max_tokens"));
        cases.add(chat("stream as a string", with("\"stream\":\"true\""), 400, "stream"));
        cases.add(chat(
                "stream_options without stream",
                with("\"stream_options\":{\"include_usage\":true}"),
                400,
                "stream_options"));
        cases.add(chat("stop with 5 entries", with("\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"]"), 400, "stop"));
        cases.add(chat("tools as a string", with("\"tools\":\"f\""), 400, "tools"));
        cases.add(chat("tool without function", with("\"tools\":[{\"type\":\"function\"}]"), 400, "tools[0].function"));
        cases.add(chat(
                "tool name with a space",
                with("\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get weather\"}}]"),
                400,
                "tools[0].function.name"));
        cases.add(chat(
                "tool parameters as an array",
                with("\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":[]}}]"),
                400,
                "tools[0].function.parameters"));
        cases.add(chat("tool_choice without tools", with("\"tool_choice\":\"auto\""), 400, "tool_choice"));
        cases.add(chat(
                "tool_choice unknown",
                with("\"tools\":[" + TOOL + "],\"tool_choice\":\"always\""),
                400,
                "tool_choice"));
        cases.add(accepted("a provider's own tool type", postJson(with("\"tools\":[{\"type\":\"browser_search\"}]"))));
        cases.add(chat(
                "function tool without a name",
                with("\"tools\":[{\"type\":\"function\",\"function\":{}}]"),
                400,
                "tools[0].function.name"));
        cases.add(accepted(
                "custom tool", postJson(with("\"tools\":[{\"type\":\"custom\",\"custom\":{\"name\":\"sql\"}}]"))));
        cases.add(chat("response_format without a type", with("\"response_format\":{}"), 400, "response_format.type"));
        cases.add(chat(
                "response_format json_schema without a name",
                with("\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{}}"),
                400,
                "response_format.json_schema.name"));
        cases.add(accepted(
                "response_format json_schema",
                postJson(with("\"response_format\":{\"type\":\"json_schema\","
                        + "\"json_schema\":{\"name\":\"x\",\"schema\":{\"type\":\"object\"}}}"))));
        cases.add(chat("logit_bias with a string value", with("\"logit_bias\":{\"x\":\"y\"}"), 400, "logit_bias.x"));
        cases.add(accepted("logit_bias", postJson(with("\"logit_bias\":{\"50256\":-100}"))));
        cases.add(bad(
                "embeddings input nested four deep",
                post(
                        "/v1/embeddings",
                        "application/json",
                        utf8("{\"model\":\"builtin/embedding\",\"input\":[[[[1]]]]}")),
                400,
                "input[0][0]"));
        cases.add(bad(
                "completions prompt with an array inside a token array",
                post("/v1/completions", "application/json", utf8("{\"model\":\"echo\",\"prompt\":[[1,[2]]]}")),
                400,
                "prompt[0][1]"));
        cases.add(bad(
                "embeddings with an empty input",
                post("/v1/embeddings", "application/json", utf8("{\"model\":\"builtin/embedding\",\"input\":\"\"}")),
                400,
                "input"));
        cases.add(bad(
                "images with n 11",
                post(
                        "/v1/images/generations",
                        "application/json",
                        utf8("{\"model\":\"builtin/image\",\"prompt\":\"cat\",\"n\":11}")),
                400,
                "n"));

        // model ids
        cases.add(chat("model empty", model("\"\""), 400, "model"));
        cases.add(chat("model of 300 characters", model("\"" + "m".repeat(300) + "\""), 400, "model"));
        cases.add(chat("model of 60000 characters", model("\"" + "m".repeat(60_000) + "\""), 400, "model"));
        cases.add(chat("model with CR/LF", model("\"echo\\r\\nX-Injected: 1\""), 400, "model"));
        cases.add(chat("model with NUL", model("\"echo\\u0000\""), 400, "model"));
        cases.add(chat("model with '..'", model("\"builtin/../etc/passwd\""), 400, "model"));
        cases.add(chat("model starting with '..'", model("\"../builtin/echo\""), 400, "model"));
        cases.add(bad("model with an encoded slash in the body", postJson(model("\"builtin%2Fecho\"")), 404, "model"));
        cases.add(bad("GET a model id that walks up", withKey("GET /v1/models/..%2F..%2Fetc HTTP/1.1"), 400, "model"));
        cases.add(bad(
                "GET a model id that walks up after a provider",
                withKey("GET /v1/models/builtin/..%2F..%2Fx HTTP/1.1"),
                400,
                "model"));
        cases.add(bad(
                "GET a model id of 6000 characters",
                withKey("GET /v1/models/" + "m".repeat(6000) + " HTTP/1.1"),
                400,
                "model"));
        cases.add(bad("GET an unknown model id", withKey("GET /v1/models/builtin/nope HTTP/1.1"), 404, "model"));
        cases.add(bad("GET an encoded '..' segment", withKey("GET /v1/models/%2e%2e/providers HTTP/1.1"), 400, null));
        cases.add(bad("GET a model id with NUL", withKey("GET /v1/models/a%00b HTTP/1.1"), 400, null));
        cases.add(bad("GET a model id with CR/LF", withKey("GET /v1/models/a%0d%0aX-Injected:1 HTTP/1.1"), 400, null));
        cases.add(bad("GET above the root", withKey("GET /v1/../../etc/passwd HTTP/1.1"), 400, null));
        cases.add(accepted("GET a model id with an encoded slash", withKey("GET /v1/models/builtin%2Fecho HTTP/1.1")));

        // content type and encoding
        cases.add(bad("text/plain", post(CHAT, "text/plain", utf8(VALID)), 415, null));
        cases.add(
                bad("form-urlencoded", post(CHAT, "application/x-www-form-urlencoded", utf8("model=echo")), 415, null));
        cases.add(bad("multipart", post(CHAT, "multipart/form-data; boundary=x", utf8("--x--")), 415, null));
        cases.add(bad("unparseable Content-Type", post(CHAT, ";;;", utf8(VALID)), 400, null));
        cases.add(accepted("no Content-Type", post(CHAT, null, utf8(VALID))));
        cases.add(accepted("JSON with a charset", post(CHAT, "application/json; charset=utf-8", utf8(VALID))));
        cases.add(accepted("gzip body", post(CHAT, "application/json", gzip(utf8(VALID)), "Content-Encoding", "gzip")));
        cases.add(bad(
                "gzip bomb (20 MB of spaces in 20 KB)",
                post(
                        CHAT,
                        "application/json",
                        gzip(concat(utf8("{\"model\":\"echo\",\"x\":\""), utf8(" ".repeat(20_000_000)), utf8("\"}"))),
                        "Content-Encoding",
                        "gzip"),
                413,
                null));
        cases.add(bad(
                "corrupt gzip",
                post(
                        CHAT,
                        "application/json",
                        concat(new byte[] {0x1f, (byte) 0x8b, 8, 0}, utf8("not deflate at all")),
                        "Content-Encoding",
                        "gzip"),
                400,
                null));
        cases.add(bad(
                "gzip twice",
                post(CHAT, "application/json", gzip(gzip(utf8(VALID))), "Content-Encoding", "gzip, gzip"),
                415,
                null));
        cases.add(bad(
                "Content-Encoding br",
                post(CHAT, "application/json", utf8(VALID), "Content-Encoding", "br"),
                415,
                null));
        cases.add(bad(
                "Content-Encoding deflate",
                post(CHAT, "application/json", utf8(VALID), "Content-Encoding", "deflate"),
                415,
                null));
        cases.add(
                bad("Accept text/html", post(CHAT, "application/json", utf8(VALID), "Accept", "text/html"), 406, null));

        // sizes
        cases.add(bad(
                "body over the limit",
                postJson("{\"model\":\"echo\",\"x\":\"" + "a".repeat(OVERSIZE) + "\"}"),
                413,
                null));
        cases.add(bad(
                "huge declared Content-Length, no body sent",
                raw(
                        "POST " + CHAT + " HTTP/1.1",
                        RawHttp.headers(
                                "Host",
                                "x",
                                "Authorization",
                                "Bearer " + KEY,
                                "Content-Type",
                                "application/json",
                                "Content-Length",
                                "1000000000000"),
                        new byte[0]),
                413,
                null));
        cases.add(bad(
                "huge declared length with Expect: 100-continue",
                raw(
                        "POST " + CHAT + " HTTP/1.1",
                        RawHttp.headers(
                                "Host",
                                "x",
                                "Authorization",
                                "Bearer " + KEY,
                                "Content-Type",
                                "application/json",
                                "Expect",
                                "100-continue",
                                "Content-Length",
                                "1000000000"),
                        new byte[0]),
                413,
                null));
        cases.add(bad(
                "huge declared gzip length, no body sent",
                raw(
                        "POST " + CHAT + " HTTP/1.1",
                        RawHttp.headers(
                                "Host",
                                "x",
                                "Authorization",
                                "Bearer " + KEY,
                                "Content-Type",
                                "application/json",
                                "Content-Encoding",
                                "gzip",
                                "Content-Length",
                                "1000000000000"),
                        new byte[0]),
                413,
                null));
        String bigChunk = Integer.toHexString(OVERSIZE) + "\r\n" + "a".repeat(OVERSIZE) + "\r\n0\r\n\r\n";
        cases.add(bad("chunked body over the limit", chunkedChat(latin1(bigChunk)), 413, null));
        cases.add(bad(
                "Content-Length overflowing 64 bits",
                raw(
                        "POST " + CHAT + " HTTP/1.1",
                        RawHttp.headers(
                                "Host",
                                "x",
                                "Content-Type",
                                "application/json",
                                "Content-Length",
                                "99999999999999999999999"),
                        utf8("{}")),
                400,
                null));
        cases.add(bad(
                "negative Content-Length",
                raw("POST " + CHAT + " HTTP/1.1", RawHttp.headers("Host", "x", "Content-Length", "-1"), utf8("{}")),
                400,
                null));
        cases.add(bad(
                "Content-Length not a number",
                raw("POST " + CHAT + " HTTP/1.1", RawHttp.headers("Host", "x", "Content-Length", "abc"), utf8("{}")),
                400,
                null));
        cases.add(bad(
                "two different Content-Lengths",
                raw(
                        "POST " + CHAT + " HTTP/1.1",
                        RawHttp.headers("Host", "x", "Content-Length", "2", "Content-Length", "40"),
                        utf8("{}")),
                400,
                null));

        // smuggling and framing
        String smuggled = "GET /v1/providers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + KEY + "\r\n\r\n";
        cases.add(bad(
                "Content-Length and Transfer-Encoding together",
                raw(
                        "POST " + CHAT + " HTTP/1.1",
                        RawHttp.headers(
                                "Host",
                                "x",
                                "Authorization",
                                "Bearer " + KEY,
                                "Content-Type",
                                "application/json",
                                "Content-Length",
                                "4",
                                "Transfer-Encoding",
                                "chunked"),
                        latin1("0\r\n\r\n" + smuggled)),
                400,
                null));
        cases.add(bad(
                "Transfer-Encoding and Content-Length together",
                raw(
                        "POST " + CHAT + " HTTP/1.1",
                        RawHttp.headers("Host", "x", "Transfer-Encoding", "chunked", "Content-Length", "60"),
                        latin1("0\r\n\r\n" + smuggled)),
                400,
                null));
        cases.add(bad(
                "Transfer-Encoding xchunked",
                raw(
                        "POST " + CHAT + " HTTP/1.1",
                        RawHttp.headers("Host", "x", "Transfer-Encoding", "xchunked"),
                        latin1("0\r\n\r\n")),
                400,
                null));
        cases.add(bad(
                "Transfer-Encoding chunked, identity",
                raw(
                        "POST " + CHAT + " HTTP/1.1",
                        RawHttp.headers("Host", "x", "Transfer-Encoding", "chunked, identity"),
                        latin1("0\r\n\r\n")),
                400,
                null));
        // Jetty reads chunked framing even on HTTP/1.0, but never keeps an HTTP/1.0 connection for
        // a second request, so nothing can be smuggled behind the body: one (empty-body) answer.
        cases.add(bad(
                "Transfer-Encoding on HTTP/1.0",
                raw(
                        "POST " + CHAT + " HTTP/1.0",
                        RawHttp.headers(
                                "Host",
                                "x",
                                "Authorization",
                                "Bearer " + KEY,
                                "Content-Type",
                                "application/json",
                                "Transfer-Encoding",
                                "chunked"),
                        latin1("0\r\n\r\n" + smuggled)),
                400,
                null));
        cases.add(bad("chunk size not hex", chunkedChat(latin1("zz\r\nabc\r\n0\r\n\r\n")), 400, null));
        cases.add(bad(
                "chunk size overflowing", chunkedChat(latin1("fffffffffffffffffffff\r\nabc\r\n0\r\n\r\n")), 400, null));
        cases.add(new Hostile(
                "chunked body that ends without its last chunk",
                raw(
                        "POST " + CHAT + " HTTP/1.1",
                        RawHttp.headers(
                                "Host",
                                "x",
                                "Authorization",
                                "Bearer " + KEY,
                                "Content-Type",
                                "application/json",
                                "Transfer-Encoding",
                                "chunked"),
                        latin1("5\r\n{\"mod\r\n")),
                400,
                INVALID,
                null,
                true));
        cases.add(new Hostile(
                "body shorter than its Content-Length",
                raw(
                        "POST " + CHAT + " HTTP/1.1",
                        RawHttp.headers(
                                "Host",
                                "x",
                                "Authorization",
                                "Bearer " + KEY,
                                "Content-Type",
                                "application/json",
                                "Content-Length",
                                "100"),
                        utf8("{\"model\"")),
                400,
                INVALID,
                null,
                true));
        cases.add(bad(
                "header folded over two lines",
                latin1("GET /v1/models HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n"),
                400,
                null));
        cases.add(bad("space before the colon", latin1("GET /v1/models HTTP/1.1\r\nHost : x\r\n\r\n"), 400, null));
        cases.add(bad(
                "NUL in a header value", latin1("GET /v1/models HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n\r\n"), 400, null));
        cases.add(bad("two Host headers", latin1("GET /v1/models HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), 400, null));
        cases.add(bad("no Host header", latin1("GET /v1/models HTTP/1.1\r\n\r\n"), 400, null));
        cases.add(bad(
                "header over 8 KiB",
                latin1("GET /v1/models HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n"),
                431,
                null));
        cases.add(bad(
                "1000 small headers",
                latin1("GET /v1/models HTTP/1.1\r\nHost: x\r\n" + "X-H: 0123456789\r\n".repeat(1000) + "\r\n"),
                431,
                null));
        cases.add(bad(
                "URI of 20000 characters",
                latin1("GET /v1/models/" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n"),
                414,
                null));
        cases.add(bad("garbage request line", latin1("GARBAGE\r\n\r\n"), 400, null));
        cases.add(bad(
                "TLS handshake on the plain port",
                new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, (byte) 0xfc, 0x03, 0x03},
                400,
                null));
        cases.add(bad("HTTP/0.9 request", latin1("GET /\r\n"), 400, null));
        cases.add(bad("unknown HTTP version", latin1("GET /v1/models HTTP/9.9\r\nHost: x\r\n\r\n"), 400, null));
        cases.add(bad("HTTP/1.2", latin1("GET /v1/models HTTP/1.2\r\nHost: x\r\n\r\n"), 400, null));
        cases.add(bad("not HTTP at all", latin1("GET /v1/models FOO/1.1\r\nHost: x\r\n\r\n"), 400, null));
        cases.add(bad("HTTP/2 preface on HTTP/1", latin1("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), 426, null));

        // methods and paths
        cases.add(bad("GET on a POST endpoint", withKey("GET " + CHAT + " HTTP/1.1"), 405, null));
        cases.add(bad(
                "PUT",
                raw(
                        "PUT " + CHAT + " HTTP/1.1",
                        RawHttp.headers(
                                "Host",
                                "x",
                                "Connection",
                                "close",
                                "Authorization",
                                "Bearer " + KEY,
                                "Content-Type",
                                "application/json",
                                "Content-Length",
                                Integer.toString(VALID.length())),
                        utf8(VALID)),
                405,
                null));
        cases.add(bad("DELETE", withKey("DELETE /v1/models HTTP/1.1"), 405, null));
        cases.add(bad("PATCH", withKey("PATCH /v1/models HTTP/1.1", "Content-Length", "0"), 405, null));
        cases.add(bad("TRACE", withKey("TRACE /v1/models HTTP/1.1"), 405, null));
        cases.add(bad("an invented method", withKey("FOO /v1/models HTTP/1.1"), 405, null));
        cases.add(bad("unknown path under /v1", withKey("GET /v1/nope HTTP/1.1"), 404, null));
        cases.add(bad("unknown version path", withKey("GET /v2/chat/completions HTTP/1.1"), 404, null));
        cases.add(bad("the root", withKey("GET / HTTP/1.1"), 404, null));

        // gateway keys
        cases.add(bad(
                "no Authorization",
                raw(
                        "POST " + CHAT + " HTTP/1.1",
                        RawHttp.headers(
                                "Host",
                                "x",
                                "Connection",
                                "close",
                                "Content-Type",
                                "application/json",
                                "Content-Length",
                                Integer.toString(VALID.length())),
                        utf8(VALID)),
                401,
                null));
        cases.add(bad(
                "wrong key",
                raw(
                        "GET /v1/models HTTP/1.1",
                        RawHttp.headers("Host", "x", "Connection", "close", "Authorization", "Bearer sb-not-the-key"),
                        new byte[0]),
                401,
                null));
        cases.add(bad(
                "Basic credentials",
                raw(
                        "GET /v1/models HTTP/1.1",
                        RawHttp.headers("Host", "x", "Connection", "close", "Authorization", "Basic c2I6" + KEY),
                        new byte[0]),
                401,
                null));
        return cases;
    }

    @Test
    @Order(0)
    void theSuiteHasAtLeastSixtyCases() {
        assertThat(cases()).hasSizeGreaterThanOrEqualTo(60);
        assertThat(cases().stream().map(Hostile::name).distinct().count()).isEqualTo(cases().size());
    }

    @ParameterizedTest(name = "{index}: {0}")
    @MethodSource("cases")
    @Order(1)
    void hostileRequest(Hostile hostile) throws Exception {
        var response =
                RawHttp.exchange(APP.getLocalPort(), hostile.request(), hostile.halfClose(), Duration.ofSeconds(10));

        assertThat(response.timedOut())
                .as("the server must answer and close, not hang")
                .isFalse();
        assertThat(response.status())
                .as("status; response was: %s", response.text())
                .isEqualTo(hostile.status());
        assertThat(response.responses())
                .as("exactly one response: nothing smuggled through")
                .isEqualTo(1);
        assertThat(response.header("x-injected")).isNull();
        String body = response.text();
        assertThat(body)
                .doesNotContainIgnoringCase("<html")
                .doesNotContain("Exception")
                .doesNotContain("at org.")
                .doesNotContain("at io.")
                .doesNotContain(KEY)
                .doesNotContain("StreamReadConstraints");
        if (hostile.type() == null) {
            return;
        }
        assertThat(response.header("content-type")).as("content type").startsWith("application/json");
        JsonNode root = JSON.readTree(body);
        assertThat(root.size()).as("only the error member: %s", body).isEqualTo(1);
        JsonNode error = root.get("error");
        assertThat(error.get("type").asText()).isEqualTo(hostile.type());
        assertThat(error.get("message").asText()).isNotBlank();
        assertThat(error.has("param") && error.has("code")).isTrue();
        if (hostile.param() != null) {
            assertThat(error.get("param").asText()).isEqualTo(hostile.param());
        }
    }

    @Test
    @Order(2)
    void optionsWithAWadlAcceptGetsNoWadl() throws Exception {
        byte[] request = withKey("OPTIONS /v1/models HTTP/1.1", "Accept", "application/vnd.sun.wadl+xml");

        var response = RawHttp.exchange(APP.getLocalPort(), request, false, Duration.ofSeconds(10));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("allow")).contains("GET");
        assertThat(response.header("content-type"))
                .as("no WADL, and no type for an empty body")
                .isNull();
        assertThat(response.text()).isEmpty();
    }

    @Test
    @Order(2)
    void aDeclaredHugeBodyIsRefusedAtOnceWithoutWaitingForIt() throws Exception {
        byte[] request = raw(
                "POST " + CHAT + " HTTP/1.1",
                RawHttp.headers(
                        "Host",
                        "x",
                        "Authorization",
                        "Bearer " + KEY,
                        "Content-Type",
                        "application/json",
                        "Content-Length",
                        "1000000000000"),
                new byte[0]);

        var response = RawHttp.exchange(APP.getLocalPort(), request, false, Duration.ofSeconds(10));

        assertThat(response.status()).isEqualTo(413);
        assertThat(response.elapsed())
                .as("answered long before the 30 s idle timeout")
                .isLessThan(Duration.ofSeconds(3));
    }

    @Test
    @Order(3)
    void theServerStillAnswersNormallyAfterTheSuite() throws Exception {
        var response = RawHttp.exchange(
                APP.getLocalPort(),
                postJson(messages("{\"role\":\"user\",\"content\":\"still here\"}")),
                false,
                Duration.ofSeconds(10));

        assertThat(response.status()).isEqualTo(200);
        assertThat(JSON.readTree(response.text())
                        .at("/choices/0/message/content")
                        .asText())
                .isEqualTo("still here");
    }

    /** A chunked POST of the chat endpoint with a gateway key, its chunked body as given. */
    private static byte[] chunkedChat(byte[] chunkedBody) {
        return raw(
                "POST " + CHAT + " HTTP/1.1",
                RawHttp.headers(
                        "Host",
                        "x",
                        "Connection",
                        "close",
                        "Authorization",
                        "Bearer " + KEY,
                        "Content-Type",
                        "application/json",
                        "Transfer-Encoding",
                        "chunked"),
                chunkedBody);
    }
}
