package io.switchboard.resources;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.switchboard.api.ApiException;
import io.switchboard.api.ErrorDetail;
import org.eclipse.jetty.http.HttpException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipException;

/**
 * Reads a request body into an API record, with the limits and strictness OpenAI applies: a
 * bounded size (413) and reading time (408), bounded nesting and token sizes, no coercion of
 * "0.7" into a number, no duplicate keys, and every failure a 4xx that names the parameter at
 * fault.
 */
public final class ApiRequestReader {

    /** Deeper than any real request (tool schemas run to a dozen levels); a stack guard for Jackson. */
    private static final int MAX_NESTING = 64;
    /** Digits in one number: more than a double or a 64-bit seed needs, and far from BigDecimal's costly range. */
    private static final int MAX_NUMBER_LENGTH = 100;
    /** Characters in one key: real keys are identifiers; the symbol table should not hold megabytes. */
    private static final int MAX_NAME_LENGTH = 1024;

    private static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern DUPLICATE_FIELD = Pattern.compile("Duplicate field '(.*)'");
    /**
     * On a body refused unread (too large, too slow), the connection is closed after the answer.
     * Left open, Jetty would keep reading and discarding the rest of the upload for as long as
     * the client kept sending it, declared length be damned.
     */
    private static final Map<String, String> CLOSE = Map.of("Connection", "close");

    private final ObjectMapper mapper;
    private final StreamReadConstraints constraints;
    private final long maxBytes;
    private final long readTimeoutNanos;
    private final LongSupplier nanoClock;

    public ApiRequestReader(long maxBytes) {
        this(maxBytes, DEFAULT_READ_TIMEOUT, System::nanoTime);
    }

    /**
     * @param maxBytes    largest body accepted, after any gzip is inflated
     * @param readTimeout longest time to receive the whole body
     * @param nanoClock   {@code System::nanoTime}, or a fake in tests
     */
    public ApiRequestReader(long maxBytes, Duration readTimeout, LongSupplier nanoClock) {
        this.maxBytes = maxBytes;
        this.readTimeoutNanos = readTimeout.toNanos();
        this.nanoClock = nanoClock;
        this.constraints = StreamReadConstraints.builder()
                .maxNestingDepth(MAX_NESTING)
                .maxNumberLength(MAX_NUMBER_LENGTH)
                .maxNameLength(MAX_NAME_LENGTH)
                .maxStringLength((int) Math.min(Integer.MAX_VALUE, maxBytes))
                .build();
        // Duplicate keys are refused, not resolved "last one wins": a proxy in front of the
        // gateway that reads the first "model" and the gateway that reads the last would disagree
        // about where a request goes.
        var factory = JsonFactory.builder()
                .streamReadConstraints(constraints)
                .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
        this.mapper = JsonMapper.builder(factory)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .build();
        // OpenAI answers "model": 123 with a type error; Jackson would quietly make it "123".
        this.mapper
                .coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    }

    /** Reads at most the size limit from {@code body} and parses it as {@code type}. */
    public <T> T read(InputStream body, Class<T> type) {
        return parse(readBounded(body), type);
    }

    /**
     * Reads at most the size limit from {@code body}, for a resource that needs the bytes as well
     * as what they parse to (a pass-through); {@link #parse} them next.
     */
    public byte[] readBytes(InputStream body) {
        return readBounded(body);
    }

    /** Parses a body read by {@link #readBytes}, with the same strictness as {@link #read}. */
    public <T> T parse(byte[] bytes, Class<T> type) {
        if (bytes.length == 0) {
            throw ApiException.badRequest("The request body is empty: send a JSON object.", null);
        }
        requireUtf8(bytes);
        ObjectReader reader = mapper.readerFor(type);
        try {
            T value = reader.readValue(bytes);
            if (value == null) {
                throw ApiException.badRequest("The request body must be a JSON object, not null.", null);
            }
            return value;
        } catch (StreamConstraintsException e) {
            throw overLimit(e, null);
        } catch (JsonParseException e) {
            String duplicate = duplicateKey(e, null);
            if (duplicate != null) {
                throw duplicate(duplicate);
            }
            throw ApiException.badRequest(
                    "We could not parse the JSON body of your request: " + plain(e) + " (line "
                            + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr() + ").",
                    null);
        } catch (MismatchedInputException e) {
            if (String.valueOf(e.getOriginalMessage()).startsWith("Trailing token")) {
                throw ApiException.badRequest(
                        "We could not parse the JSON body of your request: there is more" + " after the JSON object.",
                        null);
            }
            throw mismatch(e);
        } catch (JsonMappingException e) {
            // A limit met inside a field the mapper was building arrives wrapped, with the field's path.
            if (e.getCause() instanceof StreamConstraintsException limit) {
                throw overLimit(limit, param(e.getPath()));
            }
            // A duplicate inside a typed field arrives wrapped, with the path down to its object.
            if (e.getCause() instanceof JsonParseException cause && duplicateKey(cause, e) != null) {
                throw duplicate(duplicateKey(cause, e));
            }
            throw ApiException.badRequest("Invalid request body: " + plain(e), param(e.getPath()));
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("We could not parse the JSON body of your request.", null);
        } catch (IOException e) {
            throw ApiException.badRequest("The request body could not be read.", null);
        }
    }

    /**
     * A parser limit, said in the gateway's words and naming the limit. Jackson's own message
     * names its internals ("… from `StreamReadConstraints.getMaxNumberLength()`"); that method
     * name is the one stable part of it, so it is what tells the limits apart.
     */
    private ApiException overLimit(StreamConstraintsException e, String param) {
        String jackson = String.valueOf(e.getOriginalMessage());
        String message;
        if (jackson.contains("getMaxNumberLength")) {
            message = "A number in the request body is longer than " + constraints.getMaxNumberLength()
                    + " characters, the most this gateway accepts.";
        } else if (jackson.contains("getMaxStringLength")) {
            message = "A string in the request body is longer than " + constraints.getMaxStringLength()
                    + " characters, the most this gateway accepts.";
        } else if (jackson.contains("getMaxNameLength")) {
            message = "A key in the request body is longer than " + constraints.getMaxNameLength()
                    + " characters, the most this gateway accepts.";
        } else if (jackson.contains("getMaxNestingDepth")) {
            message = "The request body is nested deeper than " + constraints.getMaxNestingDepth()
                    + " levels of objects and arrays, the most this gateway accepts.";
        } else if (jackson.contains("getMaxDocumentLength")) {
            message = "The request body is longer than " + constraints.getMaxDocumentLength()
                    + " characters, the most this gateway accepts.";
        } else if (jackson.contains("getMaxTokenCount")) {
            message = "The request body has more than " + constraints.getMaxTokenCount()
                    + " JSON tokens, the most this gateway accepts.";
        } else {
            message = "The request body exceeds a limit this gateway sets on JSON.";
        }
        return ApiException.badRequest(message, param);
    }

    /**
     * JSON text is UTF-8 (RFC 8259), checked strictly before Jackson sees it. Jackson's own decoder
     * is lenient: it reads the overlong {@code C0 AF} as {@code /} and a UTF-8-encoded surrogate as
     * a lone surrogate, the classic way to slip a character past a filter that looks at bytes.
     * Decoded in small pieces, so a large body costs no second copy.
     */
    private static void requireUtf8(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(4096);
        while (true) {
            CoderResult result = decoder.decode(in, out, true);
            if (result.isError()) {
                throw ApiException.badRequest(
                        "The request body is not valid UTF-8 (byte " + in.position() + "): JSON must be sent as UTF-8.",
                        null,
                        "invalid_encoding");
            }
            out.clear();
            if (result.isUnderflow()) {
                break;
            }
        }
        if (decoder.flush(out).isError()) {
            throw ApiException.badRequest(
                    "The request body is not valid UTF-8: it ends inside a character.", null, "invalid_encoding");
        }
    }

    private static ApiException duplicate(String path) {
        return ApiException.badRequest(
                "Duplicate key '" + path + "' in the JSON body: each key may appear once per" + " object.",
                path,
                "duplicate_key");
    }

    /**
     * The path of the repeated key ({@code messages[0].role}) when that is the error, else null.
     * The key's name is in Jackson's message; where its object is comes from the mapping path
     * when Jackson wrapped the error in one ({@code wrapper}), else from the parser's context.
     */
    private static String duplicateKey(JsonParseException e, JsonMappingException wrapper) {
        JsonParser parser = e.getProcessor();
        Matcher duplicate = DUPLICATE_FIELD.matcher(String.valueOf(e.getOriginalMessage()));
        if (!duplicate.lookingAt() || parser == null) {
            return null;
        }
        if (wrapper != null && !wrapper.getPath().isEmpty()) {
            return param(wrapper.getPath()) + "." + duplicate.group(1);
        }
        var parts = new ArrayDeque<String>();
        JsonStreamContext context = parser.getParsingContext();
        if (context != null && context.inObject()) {
            context = context.getParent(); // the object that holds the key twice: named by the message
        }
        for (; context != null && !context.inRoot(); context = context.getParent()) {
            if (context.inObject() && context.getCurrentName() != null) {
                parts.addFirst("." + context.getCurrentName());
            } else if (context.inArray()) {
                parts.addFirst("[" + Math.max(0, context.getCurrentIndex()) + "]");
            }
        }
        parts.addLast("." + duplicate.group(1));
        return String.join("", parts).substring(1);
    }

    /** Jackson's message without its location suffix, which says nothing useful to a client. */
    private static String plain(JsonProcessingException e) {
        String message = String.valueOf(e.getOriginalMessage());
        int location = message.indexOf(" at [Source");
        message = location >= 0 ? message.substring(0, location) : message;
        int newline = message.indexOf('\n');
        return newline >= 0 ? message.substring(0, newline) : message;
    }

    private static ApiException mismatch(MismatchedInputException e) {
        String param = param(e.getPath());
        if (param == null) {
            return ApiException.badRequest("The request body must be a JSON object.", null);
        }
        String expected = expected(e.getTargetType());
        return ApiException.badRequest(
                "Invalid type for '" + param + "': expected " + expected + ".", param, "invalid_type");
    }

    private static String expected(Class<?> type) {
        if (type == null) {
            return "a different type";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "a boolean";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "an integer";
        }
        if (Number.class.isAssignableFrom(type) || type == double.class) {
            return "a number";
        }
        if (List.class.isAssignableFrom(type) || type.isArray()) {
            return "an array";
        }
        if (Map.class.isAssignableFrom(type) || type.isRecord()) {
            return "an object";
        }
        return "a different type";
    }

    /** A JSON path as OpenAI writes params: {@code messages[0].content}. */
    static String param(List<JsonMappingException.Reference> path) {
        var out = new StringBuilder();
        for (var reference : path) {
            if (reference.getFieldName() != null) {
                if (!out.isEmpty()) {
                    out.append('.');
                }
                out.append(reference.getFieldName());
            } else if (reference.getIndex() >= 0) {
                out.append('[').append(reference.getIndex()).append(']');
            }
        }
        return out.isEmpty() ? null : out.toString();
    }

    /**
     * Reads the body, refusing it once it passes the size limit or the time limit. Each read
     * returns within the connector's idle timeout, so a client that trickles bytes is cut off at
     * most that long after the time limit.
     */
    private byte[] readBounded(InputStream body) {
        var out = new ByteArrayOutputStream(8192);
        var buffer = new byte[8192];
        long start = nanoClock.getAsLong();
        int read;
        while ((read = next(body, buffer)) != -1) {
            if (out.size() + (long) read > maxBytes) {
                throw tooLarge(maxBytes);
            }
            out.write(buffer, 0, read);
            if (nanoClock.getAsLong() - start > readTimeoutNanos) {
                throw timedOut();
            }
        }
        return out.toByteArray();
    }

    /**
     * One read of the body. What goes wrong here is the upload's fault, never the server's: a
     * broken connection, a stalled or too slow client (Jetty's idle timeout and minimum data
     * rate), corrupt gzip, bad chunking. Each becomes a 4xx, not the catch-all 500.
     */
    private static int next(InputStream body, byte[] buffer) {
        try {
            return body.read(buffer);
        } catch (IOException | RuntimeException e) {
            throw unreadable(e);
        }
    }

    private static ApiException unreadable(Exception e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof ZipException) {
                return new ApiException(
                        400,
                        ErrorDetail.invalidRequest(
                                "The request body is not valid gzip data" + " (Content-Encoding: gzip).",
                                null,
                                "invalid_content_encoding"),
                        CLOSE);
            }
            if (cause instanceof TimeoutException) {
                return timedOut();
            }
            if (cause instanceof HttpException http && http.getCode() >= 400 && http.getCode() < 500) {
                return http.getCode() == 408
                        ? timedOut()
                        : new ApiException(
                                400,
                                ErrorDetail.invalidRequest(
                                        "The request body could not be read: " + http.getReason() + ".", null, null),
                                CLOSE);
            }
        }
        return new ApiException(
                400,
                ErrorDetail.invalidRequest("The request body could not be read: the upload was cut short.", null, null),
                CLOSE);
    }

    private static ApiException timedOut() {
        return new ApiException(
                408,
                ErrorDetail.invalidRequest(
                        "The request body was not received in time: the" + " upload was too slow or stalled.",
                        null,
                        "request_timeout"),
                CLOSE);
    }

    static ApiException tooLarge(long maxBytes) {
        return new ApiException(
                413,
                ErrorDetail.invalidRequest(
                        "The request body is larger than this gateway accepts (" + maxBytes + " bytes).",
                        null,
                        "request_too_large"),
                CLOSE);
    }
}
