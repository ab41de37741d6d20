package io.switchboard.resources;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.jackson.Jackson;
import io.switchboard.api.ApiException;
import io.switchboard.api.ChatCompletionRequest;
import io.switchboard.api.ChatMessage;
import io.switchboard.api.CompletionRequest;
import io.switchboard.api.EmbeddingRequest;
import io.switchboard.api.ErrorDetail;
import io.switchboard.api.ImageRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** {@link ApiRequestReader} and {@link RequestChecks} together, as the resources call them. */
class RequestParsingTest {

    private static final int MAX_BYTES = 1024 * 1024;
    private static final String USER_HI = "{\"role\":\"user\",\"content\":\"Hi\"}";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final ApiRequestReader reader = new ApiRequestReader(MAX_BYTES);

    /** A chat body whose model and messages are valid, plus {@code more} top-level fields. */
    private static String chat(String more) {
        return "{\"model\":\"gpt-4o\",\"messages\":[" + USER_HI + "]" + (more.isEmpty() ? "" : "," + more) + "}";
    }

    private static String messages(String... messages) {
        return "{\"model\":\"gpt-4o\",\"messages\":[" + String.join(",", messages) + "]}";
    }

    private static final String TOOL = "{\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
            + "\"parameters\":{\"type\":\"object\",\"properties\":{}}}}";

    static Stream<Arguments> invalidChatBodies() {
        return Stream.of(
                // not a JSON object at all
                bad("invalid JSON", "{\"model\": \"gpt-4o\",", null, null, "could not parse the JSON body"),
                bad("unquoted key", "{model: \"gpt-4o\"}", null, null, "could not parse the JSON body"),
                bad("empty body", "", null, null, "The request body is empty"),
                bad("null", "null", null, null, "not null"),
                bad("array at the top", "[" + USER_HI + "]", null, null, "must be a JSON object"),
                bad("string at the top", "\"hello\"", null, null, "must be a JSON object"),
                bad("trailing garbage", chat("") + " xyz", null, null, null),
                bad("trailing second object", chat("") + " {}", null, null, null),
                // wrong types, not coerced
                bad(
                        "model as a number",
                        "{\"model\":123,\"messages\":[" + USER_HI + "]}",
                        "model",
                        "invalid_type",
                        "Invalid type for 'model': expected a string."),
                bad(
                        "model as a boolean",
                        "{\"model\":true,\"messages\":[" + USER_HI + "]}",
                        "model",
                        "invalid_type",
                        null),
                bad(
                        "temperature as a string",
                        chat("\"temperature\":\"0.7\""),
                        "temperature",
                        "invalid_type",
                        "Invalid type for 'temperature': expected a number."),
                bad("n as a float", chat("\"n\":1.5"), "n", "invalid_type", "expected an integer"),
                bad("max_tokens as a string", chat("\"max_tokens\":\"10\""), "max_tokens", "invalid_type", null),
                bad("stream as a number", chat("\"stream\":1"), "stream", "invalid_type", "expected a boolean"),
                bad("stream as a string", chat("\"stream\":\"true\""), "stream", "invalid_type", null),
                bad(
                        "messages as an object",
                        "{\"model\":\"gpt-4o\",\"messages\":" + USER_HI + "}",
                        "messages",
                        "invalid_type",
                        "expected an array"),
                bad(
                        "role as a number",
                        messages("{\"role\":1,\"content\":\"Hi\"}"),
                        "messages[0].role",
                        "invalid_type",
                        null),
                bad("tools as a string", chat("\"tools\":\"get_weather\""), "tools", "invalid_type", null),
                // ranges
                bad(
                        "temperature above 2",
                        chat("\"temperature\":2.5"),
                        "temperature",
                        "decimal_above_max_value",
                        "Expected a value <= 2, but got 2.5 instead."),
                bad(
                        "temperature below 0",
                        chat("\"temperature\":-0.1"),
                        "temperature",
                        "decimal_below_min_value",
                        null),
                bad(
                        "top_p below 0",
                        chat("\"top_p\":-0.1"),
                        "top_p",
                        "decimal_below_min_value",
                        "Expected a value >= 0, but got -0.1 instead."),
                bad("top_p above 1", chat("\"top_p\":1.01"), "top_p", "decimal_above_max_value", null),
                bad("n zero", chat("\"n\":0"), "n", "integer_below_min_value", null),
                bad("n 129", chat("\"n\":129"), "n", "integer_above_max_value", "Expected a value <= 128"),
                bad("max_tokens zero", chat("\"max_tokens\":0"), "max_tokens", "integer_below_min_value", null),
                bad(
                        "max_completion_tokens negative",
                        chat("\"max_completion_tokens\":-1"),
                        "max_completion_tokens",
                        "integer_below_min_value",
                        null),
                // messages
                bad(
                        "missing model",
                        "{\"messages\":[" + USER_HI + "]}",
                        "model",
                        "missing_required_parameter",
                        "Missing required parameter: 'model'."),
                bad(
                        "missing messages",
                        "{\"model\":\"gpt-4o\"}",
                        "messages",
                        "missing_required_parameter",
                        "Missing required parameter: 'messages'."),
                bad("empty messages", "{\"model\":\"gpt-4o\",\"messages\":[]}", "messages", "empty_array", null),
                bad("null message", messages("null"), "messages[0]", "invalid_type", null),
                bad(
                        "message without role",
                        messages("{\"content\":\"Hi\"}"),
                        "messages[0].role",
                        "missing_required_parameter",
                        null),
                bad(
                        "unknown role",
                        messages(USER_HI, "{\"role\":\"wizard\",\"content\":\"Hi\"}"),
                        "messages[1].role",
                        "invalid_value",
                        "Invalid value: 'wizard'."),
                bad(
                        "user message without content",
                        messages("{\"role\":\"user\"}"),
                        "messages[0].content",
                        "missing_required_parameter",
                        null),
                bad(
                        "system message with null content",
                        messages("{\"role\":\"system\",\"content\":null}", USER_HI),
                        "messages[0].content",
                        "missing_required_parameter",
                        null),
                bad(
                        "assistant message with nothing",
                        messages(USER_HI, "{\"role\":\"assistant\"}"),
                        "messages[1].content",
                        "missing_required_parameter",
                        null),
                bad(
                        "tool message without tool_call_id",
                        messages(USER_HI, "{\"role\":\"tool\",\"content\":\"42\"}"),
                        "messages[1].tool_call_id",
                        "missing_required_parameter",
                        null),
                bad(
                        "content as a number",
                        messages("{\"role\":\"user\",\"content\":42}"),
                        "messages[0].content",
                        "invalid_type",
                        null),
                bad(
                        "content as an object",
                        messages("{\"role\":\"user\",\"content\":{\"text\":\"Hi\"}}"),
                        "messages[0].content",
                        "invalid_type",
                        null),
                bad(
                        "content part without type",
                        messages(
                                "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"a\"},{\"text\":\"b\"}]}"),
                        "messages[0].content[1]",
                        "invalid_type",
                        null),
                bad(
                        "content part as a string",
                        messages("{\"role\":\"user\",\"content\":[\"Hi\"]}"),
                        "messages[0].content[0]",
                        "invalid_type",
                        null),
                // the content part types OpenAI defines, each checked for its shape
                bad(
                        "text part with a number for text",
                        messages("{\"role\":\"user\",\"content\":["
                                + "{\"type\":\"text\",\"text\":\"a\"},{\"type\":\"text\",\"text\":42}]}"),
                        "messages[0].content[1].text",
                        "invalid_type",
                        "Invalid type for 'messages[0].content[1].text': expected a string."),
                bad(
                        "text part without text",
                        messages("{\"role\":\"user\",\"content\":[{\"type\":\"text\"}]}"),
                        "messages[0].content[0].text",
                        "missing_required_parameter",
                        null),
                bad(
                        "image_url part with a number for image_url",
                        messages("{\"role\":\"user\",\"content\":[" + "{\"type\":\"image_url\",\"image_url\":12}]}"),
                        "messages[0].content[0].image_url",
                        "invalid_type",
                        "expected an object"),
                bad(
                        "image_url part without image_url",
                        messages("{\"role\":\"user\",\"content\":[" + "{\"type\":\"image_url\"}]}"),
                        "messages[0].content[0].image_url",
                        "missing_required_parameter",
                        null),
                bad(
                        "image_url without url",
                        messages("{\"role\":\"user\",\"content\":["
                                + "{\"type\":\"image_url\",\"image_url\":{\"detail\":\"low\"}}]}"),
                        "messages[0].content[0].image_url.url",
                        "missing_required_parameter",
                        null),
                bad(
                        "image_url url not a string",
                        messages("{\"role\":\"user\",\"content\":["
                                + "{\"type\":\"image_url\",\"image_url\":{\"url\":[\"https://example.com/a.png\"]}}]}"),
                        "messages[0].content[0].image_url.url",
                        "invalid_type",
                        null),
                bad(
                        "image_url detail unknown",
                        messages("{\"role\":\"user\",\"content\":["
                                + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://example.com/a.png\","
                                + "\"detail\":\"ultra\"}}]}"),
                        "messages[0].content[0].image_url.detail",
                        "invalid_value",
                        "Invalid value: 'ultra'. Supported values are: 'auto', 'low', and 'high'."),
                bad(
                        "image_url detail not a string",
                        messages("{\"role\":\"user\",\"content\":["
                                + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://example.com/a.png\","
                                + "\"detail\":1}}]}"),
                        "messages[0].content[0].image_url.detail",
                        "invalid_type",
                        null),
                bad(
                        "input_audio part with a string for input_audio",
                        messages("{\"role\":\"user\",\"content\":["
                                + "{\"type\":\"input_audio\",\"input_audio\":\"AA\"}]}"),
                        "messages[0].content[0].input_audio",
                        "invalid_type",
                        null),
                bad(
                        "input_audio without data",
                        messages("{\"role\":\"user\",\"content\":["
                                + "{\"type\":\"input_audio\",\"input_audio\":{\"format\":\"wav\"}}]}"),
                        "messages[0].content[0].input_audio.data",
                        "missing_required_parameter",
                        null),
                bad(
                        "input_audio data not a string",
                        messages("{\"role\":\"user\",\"content\":["
                                + "{\"type\":\"input_audio\",\"input_audio\":{\"data\":7,\"format\":\"wav\"}}]}"),
                        "messages[0].content[0].input_audio.data",
                        "invalid_type",
                        null),
                bad(
                        "input_audio without format",
                        messages("{\"role\":\"user\",\"content\":["
                                + "{\"type\":\"input_audio\",\"input_audio\":{\"data\":\"AA\"}}]}"),
                        "messages[0].content[0].input_audio.format",
                        "missing_required_parameter",
                        null),
                bad(
                        "input_audio format unknown",
                        messages("{\"role\":\"user\",\"content\":["
                                + "{\"type\":\"input_audio\",\"input_audio\":{\"data\":\"AA\",\"format\":\"flac\"}}]}"),
                        "messages[0].content[0].input_audio.format",
                        "invalid_value",
                        "Invalid value: 'flac'. Supported values are: 'wav' and 'mp3'."),
                bad(
                        "file part with a string for file",
                        messages("{\"role\":\"user\",\"content\":[" + "{\"type\":\"file\",\"file\":\"file-abc\"}]}"),
                        "messages[0].content[0].file",
                        "invalid_type",
                        null),
                bad(
                        "file part without file",
                        messages("{\"role\":\"user\",\"content\":[{\"type\":\"file\"}]}"),
                        "messages[0].content[0].file",
                        "missing_required_parameter",
                        null),
                bad(
                        "file_id not a string",
                        messages("{\"role\":\"user\",\"content\":[" + "{\"type\":\"file\",\"file\":{\"file_id\":1}}]}"),
                        "messages[0].content[0].file.file_id",
                        "invalid_type",
                        null),
                bad(
                        "file_data not a string",
                        messages("{\"role\":\"user\",\"content\":["
                                + "{\"type\":\"file\",\"file\":{\"file_data\":{}}}]}"),
                        "messages[0].content[0].file.file_data",
                        "invalid_type",
                        null),
                bad(
                        "filename not a string",
                        messages("{\"role\":\"user\",\"content\":["
                                + "{\"type\":\"file\",\"file\":{\"file_id\":\"f\",\"filename\":false}}]}"),
                        "messages[0].content[0].file.filename",
                        "invalid_type",
                        null),
                bad(
                        "refusal part with a boolean for refusal",
                        messages(
                                USER_HI,
                                "{\"role\":\"assistant\",\"content\":[" + "{\"type\":\"refusal\",\"refusal\":true}]}"),
                        "messages[1].content[0].refusal",
                        "invalid_type",
                        null),
                bad(
                        "refusal part without refusal",
                        messages(USER_HI, "{\"role\":\"assistant\",\"content\":[" + "{\"type\":\"refusal\"}]}"),
                        "messages[1].content[0].refusal",
                        "missing_required_parameter",
                        null),
                // stop, stream_options
                bad(
                        "stop with 5 entries",
                        chat("\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"]"),
                        "stop",
                        "array_above_max_length",
                        "maximum length 4"),
                bad("stop as a number", chat("\"stop\":7"), "stop", "invalid_type", null),
                bad("stop with a number inside", chat("\"stop\":[\"a\",7]"), "stop", "invalid_type", null),
                bad(
                        "stream_options without stream",
                        chat("\"stream_options\":{\"include_usage\":true}"),
                        "stream_options",
                        null,
                        "only allowed when 'stream' is enabled"),
                bad(
                        "stream_options with stream false",
                        chat("\"stream\":false,\"stream_options\":{\"include_usage\":true}"),
                        "stream_options",
                        null,
                        null),
                // tools
                bad(
                        "tool function name with a space",
                        chat("\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get weather\"}}]"),
                        "tools[0].function.name",
                        "invalid_value",
                        "does not match pattern"),
                bad(
                        "tool function name of 65 characters",
                        chat("\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"" + "f".repeat(65) + "\"}}]"),
                        "tools[0].function.name",
                        "invalid_value",
                        null),
                bad(
                        "tool function without a name",
                        chat("\"tools\":[" + TOOL + ",{\"type\":\"function\",\"function\":{}}]"),
                        "tools[1].function.name",
                        "missing_required_parameter",
                        null),
                bad(
                        "tool without function",
                        chat("\"tools\":[{\"type\":\"function\"}]"),
                        "tools[0].function",
                        "missing_required_parameter",
                        null),
                bad(
                        "tool without type",
                        chat("\"tools\":[{\"function\":{\"name\":\"f\"}}]"),
                        "tools[0].type",
                        "missing_required_parameter",
                        null),
                bad(
                        "tool parameters not an object",
                        chat("\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":[]}}]"),
                        "tools[0].function.parameters",
                        "invalid_type",
                        null),
                bad(
                        "custom tool without custom",
                        chat("\"tools\":[{\"type\":\"custom\"}]"),
                        "tools[0].custom",
                        "missing_required_parameter",
                        null),
                bad(
                        "custom tool without a name",
                        chat("\"tools\":[{\"type\":\"custom\",\"custom\":{}}]"),
                        "tools[0].custom.name",
                        "missing_required_parameter",
                        null),
                // response_format, logit_bias
                bad(
                        "response_format without type",
                        chat("\"response_format\":{}"),
                        "response_format.type",
                        "missing_required_parameter",
                        null),
                bad(
                        "response_format as a string",
                        chat("\"response_format\":\"json_object\""),
                        "response_format",
                        "invalid_type",
                        null),
                bad(
                        "response_format json_schema without json_schema",
                        chat("\"response_format\":{\"type\":\"json_schema\"}"),
                        "response_format.json_schema",
                        "missing_required_parameter",
                        null),
                bad(
                        "response_format json_schema without a name",
                        chat("\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"schema\":{}}}"),
                        "response_format.json_schema.name",
                        "missing_required_parameter",
                        null),
                bad(
                        "logit_bias with a string value",
                        chat("\"logit_bias\":{\"x\":\"y\"}"),
                        "logit_bias.x",
                        "invalid_type",
                        "Invalid type for 'logit_bias.x': expected a number."),
                bad(
                        "logit_bias above 100",
                        chat("\"logit_bias\":{\"50256\":101}"),
                        "logit_bias.50256",
                        "decimal_above_max_value",
                        null),
                bad("logit_bias as an array", chat("\"logit_bias\":[1]"), "logit_bias", "invalid_type", null),
                bad(
                        "tool_choice without tools",
                        chat("\"tool_choice\":\"auto\""),
                        "tool_choice",
                        null,
                        "only allowed when 'tools' are specified"),
                bad(
                        "named tool_choice without tools",
                        chat("\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"f\"}}"),
                        "tool_choice",
                        null,
                        null),
                bad(
                        "tool_choice with an unknown value",
                        chat("\"tools\":[" + TOOL + "],\"tool_choice\":\"always\""),
                        "tool_choice",
                        "invalid_value",
                        "Invalid value: 'always'."),
                bad(
                        "tool_choice as a number",
                        chat("\"tools\":[" + TOOL + "],\"tool_choice\":1"),
                        "tool_choice",
                        "invalid_type",
                        null),
                // parser limits
                bad(
                        "nesting 100 levels deep",
                        chat("\"metadata\":" + "[".repeat(100) + "]".repeat(100)),
                        "metadata",
                        null,
                        "The request body is nested deeper than 64 levels of objects and arrays, the most this"
                                + " gateway accepts."),
                bad(
                        "nesting 100 levels deep in content",
                        messages("{\"role\":\"user\",\"content\":" + "[".repeat(100) + "]".repeat(100) + "}"),
                        "messages[0].content",
                        null,
                        "nested deeper than 64 levels"),
                bad(
                        "a number with 200 digits",
                        chat("\"seed\":" + "9".repeat(200)),
                        null,
                        null,
                        "A number in the request body is longer than 100 characters, the most this gateway accepts."),
                bad(
                        "a typed number with 200 digits",
                        chat("\"temperature\":0." + "1".repeat(200)),
                        null,
                        null,
                        "A number in the request body is longer than 100 characters"),
                bad(
                        "a key of 2000 characters",
                        chat("\"" + "k".repeat(2000) + "\":1"),
                        null,
                        null,
                        "A key in the request body is longer than 1024 characters, the most this gateway accepts."));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidChatBodies")
    void rejectsInvalidChatBodies(String name, String body, String param, String code, String messagePart) {
        assertRefused(chatFails(body), param, code, messagePart);
    }

    /** A 400 {@code invalid_request_error} naming {@code param}, with {@code code} and, if given, that text. */
    private static void assertRefused(ApiException e, String param, String code, String messagePart) {
        assertThat(e).as("refused").isNotNull();
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.detail().type()).isEqualTo(ErrorDetail.INVALID_REQUEST);
        assertThat(e.detail().param()).isEqualTo(param);
        assertThat(e.detail().code()).isEqualTo(code);
        assertThat(e.detail().message()).isNotBlank();
        if (messagePart != null) {
            assertThat(e.detail().message()).contains(messagePart);
        }
    }

    static Stream<Arguments> validChatBodies() {
        return Stream.of(
                Arguments.of("minimal", chat("")),
                Arguments.of("developer role", messages("{\"role\":\"developer\",\"content\":\"Be brief.\"}", USER_HI)),
                Arguments.of(
                        "every role",
                        messages(
                                "{\"role\":\"system\",\"content\":\"s\"}",
                                USER_HI,
                                "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\","
                                        + "\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]}",
                                "{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"42\"}",
                                "{\"role\":\"function\",\"name\":\"f\",\"content\":\"42\"}")),
                Arguments.of(
                        "assistant refusal without content",
                        messages(USER_HI, "{\"role\":\"assistant\",\"refusal\":\"No.\"}")),
                Arguments.of(
                        "content parts",
                        messages("{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"a\"},"
                                + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,AAAA\"}}]}")),
                Arguments.of("bounds", chat("\"temperature\":2,\"top_p\":0,\"n\":128,\"max_tokens\":1")),
                Arguments.of("stop with 4 entries", chat("\"stop\":[\"a\",\"b\",\"c\",\"d\"]")),
                Arguments.of("stop as a string", chat("\"stop\":\"\\n\"")),
                Arguments.of("explicit nulls", chat("\"temperature\":null,\"stop\":null,\"tool_choice\":null")),
                Arguments.of(
                        "stream with stream_options",
                        chat("\"stream\":true,\"stream_options\":{\"include_usage\":true}")),
                Arguments.of(
                        "tools and named tool_choice",
                        chat("\"tools\":[" + TOOL + "],\"tool_choice\":"
                                + "{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}")),
                Arguments.of("tool_choice none without tools", chat("\"tool_choice\":\"none\"")),
                // Types OpenAI does not define are the providers' own extensions: passed on.
                Arguments.of("a provider's own tool type", chat("\"tools\":[{\"type\":\"browser_search\"}]")),
                Arguments.of(
                        "a provider's own response_format type",
                        chat("\"response_format\":{\"type\":\"structural_tag\",\"structures\":[]}")),
                Arguments.of(
                        "a provider's own content part type",
                        messages("{\"role\":\"user\",\"content\":["
                                + "{\"type\":\"video_url\",\"video_url\":{\"url\":\"https://example.com/v.mp4\"}}]}")),
                Arguments.of("a custom tool", chat("\"tools\":[{\"type\":\"custom\",\"custom\":{\"name\":\"sql\"}}]")),
                Arguments.of("response_format text", chat("\"response_format\":{\"type\":\"text\"}")),
                Arguments.of("response_format json_object", chat("\"response_format\":{\"type\":\"json_object\"}")),
                Arguments.of(
                        "response_format json_schema",
                        chat("\"response_format\":{\"type\":\"json_schema\","
                                + "\"json_schema\":{\"name\":\"x\",\"schema\":{},\"strict\":true}}")),
                Arguments.of("logit_bias at its bounds", chat("\"logit_bias\":{\"50256\":-100,\"13\":100,\"1\":0.5}")),
                Arguments.of(
                        "content parts of the types OpenAI defines",
                        messages(
                                "{\"role\":\"system\",\"content\":[{\"type\":\"text\",\"text\":\"s\"}]}",
                                "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"a\"},"
                                        + "{\"type\":\"input_audio\",\"input_audio\":{\"data\":\"AA\",\"format\":\"wav\"}},"
                                        + "{\"type\":\"file\",\"file\":{\"file_id\":\"f\"}},"
                                        + "{\"type\":\"file\",\"file\":{\"file_data\":\"data:application/pdf;base64,AA\","
                                        + "\"filename\":\"a.pdf\"}},"
                                        + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://example.com/a.png\","
                                        + "\"detail\":\"low\"}},"
                                        + "{\"type\":\"input_audio\",\"input_audio\":{\"data\":\"AA\",\"format\":\"mp3\"}}]}",
                                "{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"a\"},"
                                        + "{\"type\":\"refusal\",\"refusal\":\"no\"}]}")),
                Arguments.of("nesting 50 levels deep", chat("\"metadata\":" + "[".repeat(50) + "]".repeat(50))),
                Arguments.of("a number with 90 digits", chat("\"seed\":" + "9".repeat(90))),
                Arguments.of(
                        "leading whitespace and multibyte text",
                        "  \n" + messages("{\"role\":\"user\",\"content\":\"héllo 世界 🚀\"}")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validChatBodies")
    void acceptsValidChatBodies(String name, String body) {
        ChatCompletionRequest request = reader.parse(bytes(body), ChatCompletionRequest.class);
        assertThatCode(() -> RequestChecks.chat(request)).doesNotThrowAnyException();
        assertThat(request.model()).isEqualTo("gpt-4o");
        assertThat(request.messages()).isNotEmpty();
    }

    @Test
    void minimalChatIsReadIntoTypedFields() {
        ChatCompletionRequest request = reader.parse(
                bytes(chat("\"temperature\":0.7,\"n\":2,\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                        + "\"max_completion_tokens\":50")),
                ChatCompletionRequest.class);
        RequestChecks.chat(request);

        assertThat(request.temperature()).isEqualTo(0.7);
        assertThat(request.n()).isEqualTo(2);
        assertThat(request.isStream()).isTrue();
        assertThat(request.wantsUsageInStream()).isTrue();
        assertThat(request.tokenLimit()).isEqualTo(50);
        ChatMessage message = request.messages().get(0);
        assertThat(message.role()).isEqualTo("user");
        assertThat(message.text()).isEqualTo("Hi");
        assertThat(request.extra()).isEmpty();
    }

    @Test
    void unknownFieldsAreKeptAtEveryLevelAndSurviveReserialisation() throws IOException {
        String body = "{"
                + "\"model\":\"gpt-4o\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\",\"cache_control\":{\"type\":\"ephemeral\"}}],"
                + "\"seed\":42,"
                + "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\",\"schema\":{}}},"
                + "\"logit_bias\":{\"50256\":-100},"
                + "\"reasoning_effort\":\"low\","
                + "\"parallel_tool_calls\":false,"
                + "\"metadata\":[1,[2,[3]]],"
                + "\"stream\":true,"
                + "\"stream_options\":{\"include_usage\":true,\"include_obfuscation\":false},"
                + "\"tools\":[{\"type\":\"function\",\"x_tool\":1,\"function\":{\"name\":\"get_weather\","
                + "\"parameters\":{\"type\":\"object\"},\"strict\":true,\"x_fn\":\"kept\"}}],"
                + "\"temperature\":0.5"
                + "}";
        ChatCompletionRequest request = reader.parse(bytes(body), ChatCompletionRequest.class);
        RequestChecks.chat(request);

        assertThat(request.extra())
                .containsOnlyKeys(
                        "seed", "response_format", "logit_bias", "reasoning_effort", "parallel_tool_calls", "metadata");
        assertThat(request.extra().get("seed").intValue()).isEqualTo(42);
        assertThat(request.extra()
                        .get("response_format")
                        .at("/json_schema/name")
                        .asText())
                .isEqualTo("x");
        assertThat(request.extra().get("logit_bias").get("50256").intValue()).isEqualTo(-100);
        assertThat(request.extra().get("parallel_tool_calls").booleanValue()).isFalse();
        assertThat(request.messages().get(0).extra()).containsOnlyKeys("cache_control");
        assertThat(request.streamOptions().extra()).containsOnlyKeys("include_obfuscation");
        assertThat(request.tools().get(0).extra()).containsOnlyKeys("x_tool");
        assertThat(request.tools().get(0).function().extra()).containsOnlyKeys("x_fn");

        JsonNode original = MAPPER.readTree(body);
        JsonNode again = MAPPER.readTree(MAPPER.writeValueAsBytes(request));
        assertThat(again).isEqualTo(original);
        // And a second trip through the reader changes nothing.
        ChatCompletionRequest reread = reader.parse(MAPPER.writeValueAsBytes(request), ChatCompletionRequest.class);
        assertThat(reread).isEqualTo(request);
    }

    @Test
    void explicitNullInAnUnknownFieldSurvivesReserialisation() throws IOException {
        String body = chat("\"stream\":true,\"user\":null,\"metadata\":{\"trace\":null}");
        ChatCompletionRequest request = reader.parse(bytes(body), ChatCompletionRequest.class);

        assertThat(request.extra()).containsKeys("user", "metadata");
        assertThat(MAPPER.readTree(MAPPER.writeValueAsBytes(request))).isEqualTo(MAPPER.readTree(body));
    }

    @Test
    void absentStreamStaysAbsentWhenReserialised() throws IOException {
        for (ObjectMapper mapper : List.of(MAPPER, Jackson.newObjectMapper())) {
            String body = chat("\"seed\":1");
            ChatCompletionRequest request = reader.parse(bytes(body), ChatCompletionRequest.class);

            JsonNode again = mapper.readTree(mapper.writeValueAsBytes(request));
            assertThat(again.has("stream")).as("\"stream\" in %s", again).isFalse();
            assertThat(again).isEqualTo(mapper.readTree(body));
        }
    }

    @Test
    void bodyOverTheLimitIsRequestTooLarge() {
        var small = new ApiRequestReader(64);
        String body = chat("\"user\":\"" + "u".repeat(100) + "\"");

        ApiException e = catchThrowableOfType(
                ApiException.class,
                () -> small.read(new ByteArrayInputStream(bytes(body)), ChatCompletionRequest.class));

        assertThat(e).isNotNull();
        assertThat(e.status()).isEqualTo(413);
        assertThat(e.detail().code()).isEqualTo("request_too_large");
        assertThat(e.detail().type()).isEqualTo(ErrorDetail.INVALID_REQUEST);
        assertThat(e.detail().message()).contains("64 bytes");
    }

    @Test
    void bodyOverTheLimitIsRefusedWithoutReadingItAll() {
        var small = new ApiRequestReader(10_000);
        var endless = new InputStream() {
            long served;

            @Override
            public int read() {
                served++;
                return ' ';
            }
        };

        ApiException e =
                catchThrowableOfType(ApiException.class, () -> small.read(endless, ChatCompletionRequest.class));

        assertThat(e.status()).isEqualTo(413);
        assertThat(endless.served).isLessThan(10_000 + 2 * 8192);
    }

    @Test
    void bodyExactlyAtTheLimitIsRead() {
        String body = chat("");
        var exact = new ApiRequestReader(bytes(body).length);

        ChatCompletionRequest request = exact.read(new ByteArrayInputStream(bytes(body)), ChatCompletionRequest.class);
        assertThat(request.model()).isEqualTo("gpt-4o");

        var oneShort = new ApiRequestReader(bytes(body).length - 1);
        ApiException e = catchThrowableOfType(
                ApiException.class,
                () -> oneShort.read(new ByteArrayInputStream(bytes(body)), ChatCompletionRequest.class));
        assertThat(e.status()).isEqualTo(413);
    }

    @Test
    void parserLimitsAreNamedInTheGatewaysWordsNotJacksons() {
        // The string limit is the body size limit, which reading enforces first; parse() alone meets it.
        var small = new ApiRequestReader(64);
        ApiException string = catchThrowableOfType(
                ApiException.class,
                () -> small.parse(bytes(chat("\"user\":\"" + "u".repeat(100) + "\"")), ChatCompletionRequest.class));
        assertRefused(
                string,
                "user",
                null,
                "A string in the request body is longer than 64 characters, the most this gateway accepts.");

        for (String body : List.of(
                chat("\"seed\":" + "9".repeat(200)),
                chat("\"temperature\":1." + "0".repeat(200)),
                chat("\"" + "k".repeat(2000) + "\":1"),
                chat("\"metadata\":" + "{\"a\":".repeat(100) + "1" + "}".repeat(100)),
                string.detail().message())) {
            String message = body.startsWith("{") ? chatFails(body).detail().message() : body;
            assertThat(message)
                    .doesNotContain("StreamReadConstraints")
                    .doesNotContain("getMax")
                    .contains("the most this gateway accepts");
        }
    }

    @Test
    void uploadCutShortIsABadRequest() {
        var broken = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("Early EOF");
            }
        };
        ApiException e =
                catchThrowableOfType(ApiException.class, () -> reader.read(broken, ChatCompletionRequest.class));

        assertThat(e.status()).isEqualTo(400);
        assertThat(e.detail().message()).contains("cut short");
    }

    static Stream<Arguments> embeddingBodies() {
        return Stream.of(
                bad("empty input string", "{\"model\":\"m\",\"input\":\"\"}", "input", "invalid_value", "empty string"),
                bad("empty input array", "{\"model\":\"m\",\"input\":[]}", "input", "empty_array", null),
                bad("missing input", "{\"model\":\"m\"}", "input", "missing_required_parameter", null),
                bad("null input", "{\"model\":\"m\",\"input\":null}", "input", "missing_required_parameter", null),
                bad("input as a number", "{\"model\":\"m\",\"input\":5}", "input", "invalid_type", null),
                bad(
                        "input as an object",
                        "{\"model\":\"m\",\"input\":{\"text\":\"a\"}}",
                        "input",
                        "invalid_type",
                        null),
                bad(
                        "input item a boolean",
                        "{\"model\":\"m\",\"input\":[\"a\",true]}",
                        "input[1]",
                        "invalid_type",
                        null),
                bad("input item a float", "{\"model\":\"m\",\"input\":[1.5]}", "input[0]", "invalid_type", null),
                bad(
                        "input nested four deep",
                        "{\"model\":\"m\",\"input\":[[[[1]]]]}",
                        "input[0][0]",
                        "invalid_type",
                        "Invalid type for 'input[0][0]': expected an integer."),
                bad(
                        "input token array with a string",
                        "{\"model\":\"m\",\"input\":[[1,\"a\"]]}",
                        "input[0][1]",
                        "invalid_type",
                        null),
                bad(
                        "input with an empty token array",
                        "{\"model\":\"m\",\"input\":[[1],[]]}",
                        "input[1]",
                        "empty_array",
                        null),
                bad(
                        "input mixing strings and tokens",
                        "{\"model\":\"m\",\"input\":[\"a\",1]}",
                        "input[1]",
                        "invalid_type",
                        null),
                bad(
                        "bad encoding_format",
                        "{\"model\":\"m\",\"input\":\"a\",\"encoding_format\":\"hex\"}",
                        "encoding_format",
                        "invalid_value",
                        "Supported values are: 'float' and 'base64'."),
                bad(
                        "dimensions zero",
                        "{\"model\":\"m\",\"input\":\"a\",\"dimensions\":0}",
                        "dimensions",
                        "integer_below_min_value",
                        null),
                bad(
                        "dimensions as a string",
                        "{\"model\":\"m\",\"input\":\"a\",\"dimensions\":\"8\"}",
                        "dimensions",
                        "invalid_type",
                        null),
                bad("missing model", "{\"input\":\"a\"}", "model", "missing_required_parameter", null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("embeddingBodies")
    void rejectsInvalidEmbeddingBodies(String name, String body, String param, String code, String messagePart) {
        assertRefused(
                catchThrowableOfType(
                        ApiException.class,
                        () -> RequestChecks.embedding(reader.parse(bytes(body), EmbeddingRequest.class))),
                param,
                code,
                messagePart);
    }

    static Stream<Arguments> completionBodies() {
        return Stream.of(
                bad("prompt as a number", "{\"model\":\"m\",\"prompt\":5}", "prompt", "invalid_type", null),
                bad(
                        "prompt token arrays nested too deep",
                        "{\"model\":\"m\",\"prompt\":[[1,[2]]]}",
                        "prompt[0][1]",
                        "invalid_type",
                        "Invalid type for 'prompt[0][1]': expected an integer."),
                bad("prompt item an object", "{\"model\":\"m\",\"prompt\":[{}]}", "prompt[0]", "invalid_type", null),
                bad(
                        "prompt mixing tokens and token arrays",
                        "{\"model\":\"m\",\"prompt\":[1,[2]]}",
                        "prompt[1]",
                        "invalid_type",
                        null),
                bad(
                        "logit_bias with a string value",
                        "{\"model\":\"m\",\"prompt\":\"a\",\"logit_bias\":{\"1\":\"y\"}}",
                        "logit_bias.1",
                        "invalid_type",
                        null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("completionBodies")
    void rejectsInvalidCompletionBodies(String name, String body, String param, String code, String messagePart) {
        assertRefused(
                catchThrowableOfType(
                        ApiException.class,
                        () -> RequestChecks.completion(reader.parse(bytes(body), CompletionRequest.class))),
                param,
                code,
                messagePart);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"model\":\"m\",\"prompt\":\"hello\"}",
                "{\"model\":\"m\",\"prompt\":null}",
                "{\"model\":\"m\",\"prompt\":[]}",
                "{\"model\":\"m\",\"prompt\":[\"a\",\"b\"]}",
                "{\"model\":\"m\",\"prompt\":[1,2,3],\"logit_bias\":{\"1\":-100}}",
                "{\"model\":\"m\",\"prompt\":[[1,2],[3]]}",
            })
    void acceptsValidCompletionBodies(String body) {
        CompletionRequest request = reader.parse(bytes(body), CompletionRequest.class);
        assertThatCode(() -> RequestChecks.completion(request)).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"model\":\"m\",\"input\":\"hello\"}",
                "{\"model\":\"m\",\"input\":[\"a\",\"b\"]}",
                "{\"model\":\"m\",\"input\":[1,2,3]}",
                "{\"model\":\"m\",\"input\":[[1,2],[3]]}",
                "{\"model\":\"m\",\"input\":\"a\",\"encoding_format\":\"base64\",\"dimensions\":8}",
                "{\"model\":\"m\",\"input\":\"a\",\"encoding_format\":\"float\",\"user\":\"u-1\"}",
            })
    void acceptsValidEmbeddingBodies(String body) {
        EmbeddingRequest request = reader.parse(bytes(body), EmbeddingRequest.class);
        assertThatCode(() -> RequestChecks.embedding(request)).doesNotThrowAnyException();
        assertThat(request.input()).isEqualTo(readTree(body).get("input"));
    }

    static Stream<Arguments> imageBodies() {
        return Stream.of(
                bad("missing prompt", "{\"model\":\"image\"}", "prompt", "missing_required_parameter", null),
                bad("empty prompt", "{\"prompt\":\"\"}", "prompt", "invalid_value", null),
                bad("blank prompt", "{\"prompt\":\" \\n\\t\"}", "prompt", "invalid_value", null),
                bad("prompt as a number", "{\"prompt\":7}", "prompt", "invalid_type", null),
                bad("n 11", "{\"prompt\":\"a cat\",\"n\":11}", "n", "integer_above_max_value", "<= 10"),
                bad("n 0", "{\"prompt\":\"a cat\",\"n\":0}", "n", "integer_below_min_value", null),
                bad(
                        "bad response_format",
                        "{\"prompt\":\"a cat\",\"response_format\":\"png\"}",
                        "response_format",
                        "invalid_value",
                        "Supported values are: 'url' and 'b64_json'."),
                bad("no model", "{\"prompt\":\"a cat\"}", "model", "missing_required_parameter", "GET /v1/models"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("imageBodies")
    void rejectsInvalidImageBodies(String name, String body, String param, String code, String messagePart) {
        assertRefused(
                catchThrowableOfType(
                        ApiException.class, () -> RequestChecks.image(reader.parse(bytes(body), ImageRequest.class))),
                param,
                code,
                messagePart);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"model\":\"image\",\"prompt\":\"a cat\"}",
                "{\"model\":\"image\",\"prompt\":\"a cat\",\"n\":10,\"response_format\":\"b64_json\",\"size\":\"256x256\"}",
                "{\"model\":\"image\",\"prompt\":\"a cat\",\"n\":1,\"response_format\":\"url\",\"quality\":\"hd\"}",
            })
    void acceptsValidImageBodies(String body) {
        ImageRequest request = reader.parse(bytes(body), ImageRequest.class);
        assertThatCode(() -> RequestChecks.image(request)).doesNotThrowAnyException();
        assertThat(request.prompt()).isEqualTo("a cat");
    }

    @Test
    void paramNamesFollowOpenAiPaths() {
        ApiException e = chatFails(messages(USER_HI, "{\"role\":\"user\",\"content\":\"x\",\"name\":[1]}"));
        assertThat(e.detail().param()).isEqualTo("messages[1].name");
        assertThat(e.detail().code()).isEqualTo("invalid_type");
    }

    private ApiException chatFails(String body) {
        ApiException e = catchThrowableOfType(
                ApiException.class, () -> RequestChecks.chat(reader.parse(bytes(body), ChatCompletionRequest.class)));
        assertThat(e)
                .as("body %s should be refused", body.length() > 200 ? body.substring(0, 200) + "…" : body)
                .isNotNull();
        return e;
    }

    private static Arguments bad(String name, String body, String param, String code, String messagePart) {
        return Arguments.of(name, body, param, code, messagePart);
    }

    private static JsonNode readTree(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
