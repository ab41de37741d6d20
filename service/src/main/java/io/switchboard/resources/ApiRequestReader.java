package io.switchboard.resources;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.switchboard.api.ApiException;
import io.switchboard.api.ErrorDetail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

/**
 * Reads a request body into an API record, with the limits and strictness OpenAI applies: a
 * bounded size (413), bounded nesting and token sizes, no coercion of "0.7" into a number, and
 * every failure a 400 that names the parameter at fault.
 */
public final class ApiRequestReader {

    private static final int MAX_NESTING = 64;
    private static final int MAX_NUMBER_LENGTH = 100;

    private final ObjectMapper mapper;
    private final long maxBytes;

    public ApiRequestReader(long maxBytes) {
        this.maxBytes = maxBytes;
        var constraints = StreamReadConstraints.builder()
                .maxNestingDepth(MAX_NESTING)
                .maxNumberLength(MAX_NUMBER_LENGTH)
                .maxStringLength((int) Math.min(Integer.MAX_VALUE, maxBytes))
                .build();
        var factory = JsonFactory.builder()
                .streamReadConstraints(constraints)
                .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
                .build();
        this.mapper = JsonMapper.builder(factory)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .build();
        // OpenAI answers "model": 123 with a type error; Jackson would quietly make it "123".
        this.mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    }

    /** Reads at most the size limit from {@code body} and parses it as {@code type}. */
    public <T> T read(InputStream body, Class<T> type) {
        return parse(readBounded(body), type);
    }

    <T> T parse(byte[] bytes, Class<T> type) {
        if (bytes.length == 0) {
            throw ApiException.badRequest("The request body is empty: send a JSON object.", null);
        }
        ObjectReader reader = mapper.readerFor(type);
        try {
            T value = reader.readValue(bytes);
            if (value == null) {
                throw ApiException.badRequest("The request body must be a JSON object, not null.", null);
            }
            return value;
        } catch (StreamConstraintsException e) {
            throw ApiException.badRequest("The JSON body exceeds a parsing limit: " + e.getOriginalMessage(), null);
        } catch (JsonParseException e) {
            throw ApiException.badRequest("We could not parse the JSON body of your request: " + plain(e)
                    + " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ").", null);
        } catch (MismatchedInputException e) {
            if (String.valueOf(e.getOriginalMessage()).startsWith("Trailing token")) {
                throw ApiException.badRequest("We could not parse the JSON body of your request: there is more"
                        + " after the JSON object.", null);
            }
            throw mismatch(e);
        } catch (JsonMappingException e) {
            throw ApiException.badRequest("Invalid request body: " + plain(e), param(e.getPath()));
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("We could not parse the JSON body of your request.", null);
        } catch (IOException e) {
            throw ApiException.badRequest("The request body could not be read.", null);
        }
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
        return ApiException.badRequest("Invalid type for '" + param + "': expected " + expected + ".", param,
                "invalid_type");
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

    private byte[] readBounded(InputStream body) {
        var out = new ByteArrayOutputStream(8192);
        var buffer = new byte[8192];
        try {
            int read;
            while ((read = body.read(buffer)) != -1) {
                if (out.size() + (long) read > maxBytes) {
                    throw tooLarge(maxBytes);
                }
                out.write(buffer, 0, read);
            }
        } catch (IOException e) {
            throw ApiException.badRequest("The request body could not be read: the upload was cut short.", null);
        }
        return out.toByteArray();
    }

    static ApiException tooLarge(long maxBytes) {
        return new ApiException(413, ErrorDetail.invalidRequest("The request body is larger than this gateway accepts ("
                + maxBytes + " bytes).", null, "request_too_large"));
    }
}
