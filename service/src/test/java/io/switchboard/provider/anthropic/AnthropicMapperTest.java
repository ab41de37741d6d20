package io.switchboard.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dropwizard.jackson.Jackson;
import io.switchboard.api.ApiException;
import io.switchboard.api.ChatCompletionRequest;
import io.switchboard.api.ErrorDetail;
import io.switchboard.provider.ModelInfo;
import io.switchboard.provider.ProviderException.Kind;
import io.switchboard.provider.http.UpstreamErrors;
import io.switchboard.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Golden tests of the pure translations: OpenAI requests in, the exact Anthropic bodies out;
 * Anthropic's documented responses and errors in, the exact OpenAI shapes out.
 */
class AnthropicMapperTest {

    private static final ObjectMapper JSON = Jackson.newObjectMapper();
    private static final long CREATED = 1_700_000_000L;
    private static final AnthropicVersion V1 = AnthropicVersion.V2023_06_01;

    static byte[] fixture(String name) {
        return Fixtures.bytes("/fixtures/anthropic/" + name);
    }

    static JsonNode tree(String name) throws IOException {
        return JSON.readTree(fixture(name));
    }

    /** What goes on the wire, read back: numbers compare by value, not by the Java type that wrote them. */
    static JsonNode wire(Object value) {
        try {
            return JSON.readTree(JSON.writeValueAsString(value));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static AnthropicRequest translate(String openAiJson, AnthropicVersion version) throws IOException {
        var request = JSON.readValue(openAiJson, ChatCompletionRequest.class);
        return AnthropicMapper.toMessagesRequest(request, request.isStream(), version, 4096, JSON);
    }

    private static AnthropicRequest translateFixture(String name, AnthropicVersion version) throws IOException {
        return translate(new String(fixture(name), StandardCharsets.UTF_8), version);
    }

    @ParameterizedTest(name = "{0} under {1} → {2}")
    @CsvSource({
        "openai.tool_use.request.json, 2023-06-01, messages.tool_use.request.json",
        "openai.tool_use.request.json, 2026-10-21, messages.tool_use.request.json",
        "openai.tool_result.request.json, 2023-06-01, messages.tool_result.request.json",
        "openai.tool_result.request.json, 2026-10-21, messages.tool_result.request.json",
        "openai.conversation.request.json, 2023-06-01, anthropic.conversation.request.json",
        "openai.conversation.request.json, 2026-10-21, anthropic.conversation.request.json",
        "openai.parameters.request.json, 2023-06-01, anthropic.parameters.2023-06-01.request.json",
        "openai.parameters.request.json, 2026-10-21, anthropic.parameters.2026-10-21.request.json",
    })
    void requestBecomesExactlyTheAnthropicBody(String openAi, String version, String anthropic) throws IOException {
        AnthropicRequest translated = translateFixture(openAi, AnthropicVersion.of(version));

        JsonNode expected = tree(anthropic);
        assertThat(translated.body())
                .as(
                        "expected %s%nbut was %s",
                        expected.toPrettyString(), translated.body().toPrettyString())
                .isEqualTo(expected);
    }

    @Test
    void notesSayWhatWasNotSentAndWhy() throws IOException {
        assertThat(translateFixture("openai.parameters.request.json", V1).notes())
                .containsExactlyInAnyOrder(
                        "temperature 1.4 (capped at Anthropic's maximum, 1.0)",
                        "seed (no Anthropic equivalent)",
                        "presence_penalty (no Anthropic equivalent)");
        assertThat(translateFixture("openai.parameters.request.json", AnthropicVersion.V2026_10_21)
                        .notes())
                .containsExactlyInAnyOrder(
                        "temperature (anthropic-version 2026-10-21 does not accept it)",
                        "top_p (anthropic-version 2026-10-21 does not accept it)",
                        "top_k (anthropic-version 2026-10-21 does not accept it)",
                        "seed (no Anthropic equivalent)",
                        "presence_penalty (no Anthropic equivalent)");
        assertThat(translateFixture("openai.tool_use.request.json", V1).notes()).isEmpty();
    }

    @Test
    void temperatureWithinAnthropicsRangePassesUnchanged() throws IOException {
        var body = translate(
                        "{\"model\":\"m\",\"temperature\":0.3,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                        V1)
                .body();
        assertThat(body.get("temperature").asDouble()).isEqualTo(0.3);
        assertThat(translate(
                                "{\"model\":\"m\",\"temperature\":0.3,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                                AnthropicVersion.V2026_10_21)
                        .body()
                        .has("temperature"))
                .isFalse();
    }

    @ParameterizedTest(name = "max_tokens={0}, max_completion_tokens={1} → {2}")
    @CsvSource(
            value = {"null, null, 4096", "100, null, 100", "null, 200, 200", "100, 200, 200"},
            nullValues = "null")
    void maxTokensComesFromEitherNameOrTheDefault(Integer maxTokens, Integer maxCompletionTokens, int expected)
            throws IOException {
        var json = JSON.createObjectNode().put("model", "m");
        json.putArray("messages").addObject().put("role", "user").put("content", "hi");
        if (maxTokens != null) {
            json.put("max_tokens", maxTokens);
        }
        if (maxCompletionTokens != null) {
            json.put("max_completion_tokens", maxCompletionTokens);
        }
        assertThat(translate(json.toString(), V1).body().get("max_tokens").asInt())
                .isEqualTo(expected);
    }

    @ParameterizedTest(name = "tool_choice {0}, parallel_tool_calls {1} → {2}")
    @CsvSource(
            delimiter = '|',
            nullValues = "null",
            value = {
                "\"auto\"|null|{\"type\":\"auto\"}",
                "\"none\"|null|{\"type\":\"none\"}",
                "\"required\"|null|{\"type\":\"any\"}",
                "{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}|null|{\"type\":\"tool\",\"name\":\"get_weather\"}",
                "null|false|{\"type\":\"auto\",\"disable_parallel_tool_use\":true}",
                "\"required\"|false|{\"type\":\"any\",\"disable_parallel_tool_use\":true}",
                "\"none\"|false|{\"type\":\"none\"}",
                "null|true|null",
                "null|null|null",
            })
    void toolChoiceMapsToAnthropicsFourKinds(String choice, String parallel, String expected) throws IOException {
        String json = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}]"
                + (choice != null ? ",\"tool_choice\":" + choice : "")
                + (parallel != null ? ",\"parallel_tool_calls\":" + parallel : "") + "}";
        JsonNode toolChoice = translate(json, V1).body().get("tool_choice");
        if (expected == null) {
            assertThat(toolChoice).isNull();
        } else {
            assertThat(toolChoice).isEqualTo(JSON.readTree(expected));
        }
    }

    @Test
    void stopAsAnArrayAndJsonObjectFormat() throws IOException {
        var translated = translate(
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                        + "\"stop\":[\"a\",\"b\"],\"response_format\":{\"type\":\"json_object\"},"
                        + "\"safety_identifier\":\"hashed-user\"}",
                V1);
        assertThat(translated.body().get("stop_sequences").toString()).isEqualTo("[\"a\",\"b\"]");
        assertThat(translated.body().has("output_config")).isFalse();
        assertThat(translated.body().get("metadata").toString()).isEqualTo("{\"user_id\":\"hashed-user\"}");
        assertThat(translated.notes())
                .containsExactly(
                        "response_format json_object (Anthropic has no schema-less JSON mode; the prompt must ask for JSON)");
    }

    @Test
    void streamIsTheCallersChoiceNotTheClientsFlag() throws IOException {
        var request = JSON.readValue(
                "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                ChatCompletionRequest.class);
        assertThat(AnthropicMapper.toMessagesRequest(request, false, V1, 1, JSON)
                        .body()
                        .has("stream"))
                .isFalse();
        assertThat(AnthropicMapper.toMessagesRequest(request, true, V1, 1, JSON)
                        .body()
                        .get("stream")
                        .asBoolean())
                .isTrue();
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"n\":2}|n",
                "{\"logprobs\":true}|logprobs",
                "{\"top_logprobs\":3}|top_logprobs",
                "{\"modalities\":[\"text\",\"audio\"]}|modalities",
                "{\"audio\":{\"voice\":\"alloy\",\"format\":\"wav\"}}|audio",
                "{\"functions\":[{\"name\":\"f\"}]}|functions",
                "{\"function_call\":\"auto\"}|function_call",
                "{\"response_format\":{\"type\":\"xml\"}}|response_format",
                "{\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\"}}}|response_format.json_schema.schema",
                "{\"tools\":[{\"type\":\"custom\",\"custom\":{\"name\":\"x\"}}]}|tools[0].type",
                "{\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}],\"tool_choice\":{\"type\":\"allowed_tools\"}}|tool_choice",
                "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_audio\",\"input_audio\":{\"data\":\"AA==\",\"format\":\"wav\"}}]}]}|messages[0].content[0]",
                "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"file\",\"file\":{\"file_id\":\"file-abc\"}}]}]}|messages[0].content[0]",
                "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"ftp://x/y.png\"}}]}]}|messages[0].content[0].image_url.url",
                "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png,rawbytes\"}}]}]}|messages[0].content[0].image_url.url",
                "{\"messages\":[{\"role\":\"function\",\"name\":\"f\",\"content\":\"x\"}]}|messages[0].role",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"t\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"[1]\"}}]}]}|messages[1].tool_calls[0].function.arguments",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"t\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{oops\"}}]}]}|messages[1].tool_calls[0].function.arguments",
            })
    void whatAnthropicCannotDoIsA400NamingTheParameter(String fields, String param) throws IOException {
        var json =
                (ObjectNode) JSON.readTree("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        json.setAll((ObjectNode) JSON.readTree(fields));

        assertThatThrownBy(() -> translate(json.toString(), V1)).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.detail().type()).isEqualTo("invalid_request_error");
            assertThat(e.detail().param()).isEqualTo(param);
            assertThat(e.detail().message()).isNotBlank();
        });
    }

    @Test
    void jpegDataUrlsCarryTheRegisteredMediaType() throws IOException {
        var body = translate(
                        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\","
                                + "\"image_url\":{\"url\":\"DATA:image/JPG;base64,/9j/4AAQ\"}}]}]}",
                        V1)
                .body();

        assertThat(body.get("messages").get(0).get("content").toString())
                .isEqualTo(
                        "[{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/jpeg\",\"data\":\"/9j/4AAQ\"}}]");
    }

    @Test
    void nOfOneAndLogprobsFalseAreFine() throws IOException {
        var translated = translate(
                "{\"model\":\"m\",\"n\":1,\"logprobs\":false,\"modalities\":[\"text\"],"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                V1);
        assertThat(translated.body().has("n")).isFalse();
        assertThat(translated.notes()).isEmpty();
    }

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource({
        "messages.text.response.json, openai.text.chat_completion.json",
        "messages.tool_use.response.json, openai.tool_use.chat_completion.json",
        "messages.tool_result.response.json, openai.tool_result.chat_completion.json",
    })
    void responseBecomesExactlyTheOpenAiCompletion(String anthropic, String openAi) throws IOException {
        var completion = AnthropicMapper.toChatCompletion(tree(anthropic), CREATED);

        assertThat(wire(completion)).isEqualTo(tree(openAi));
    }

    @Test
    void responseWithThinkingOnlyToolUseAndCacheUsage() throws IOException {
        var message = JSON.readTree("""
                {"id":"msg_1","type":"message","role":"assistant","model":"claude-x",
                 "content":[{"type":"thinking","thinking":"hmm","signature":"sig"},
                            {"type":"tool_use","id":"toolu_1","name":"now","input":{}}],
                 "stop_reason":"tool_use","stop_sequence":null,
                 "usage":{"input_tokens":10,"cache_creation_input_tokens":5,"cache_read_input_tokens":100,"output_tokens":7}}
                """);

        JsonNode completion = wire(AnthropicMapper.toChatCompletion(message, CREATED));

        JsonNode choice = completion.get("choices").get(0);
        assertThat(choice.get("message").get("content").isNull())
                .as("no text block: null content")
                .isTrue();
        assertThat(choice.get("message")
                        .get("tool_calls")
                        .get(0)
                        .get("function")
                        .get("arguments")
                        .asText())
                .isEqualTo("{}");
        assertThat(choice.get("finish_reason").asText()).isEqualTo("tool_calls");
        assertThat(completion.get("usage")).isEqualTo(JSON.readTree("""
                {"prompt_tokens":115,"completion_tokens":7,"total_tokens":122,
                 "prompt_tokens_details":{"cached_tokens":100,"cache_creation_tokens":5,"cache_creation_1h_tokens":0}}"""));
    }

    @Test
    void aBodyWithoutContentIsNotAMessage() {
        assertThatThrownBy(() -> AnthropicMapper.toChatCompletion(JSON.readTree("{\"type\":\"message\"}"), CREATED))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource(
            nullValues = "null",
            value = {
                "end_turn, stop",
                "stop_sequence, stop",
                "pause_turn, stop",
                "max_tokens, length",
                "model_context_window_exceeded, length",
                "tool_use, tool_calls",
                "refusal, content_filter",
                "something_new, stop",
                "null, stop"
            })
    void stopReasonsBecomeFinishReasons(String stopReason, String finishReason) {
        assertThat(AnthropicMapper.finishReason(stopReason)).isEqualTo(finishReason);
    }

    @ParameterizedTest(name = "{0} ({1})")
    @CsvSource(
            delimiter = '|',
            nullValues = "null",
            value = {
                "error.400.missing-version.json|400|anthropic-version: header is required|invalid_request_error|null|UPSTREAM_4XX",
                "error.400.system-role.json|400|messages: Unexpected role \"system\". The Messages API accepts a top-level `system` parameter, not \"system\" as an input message role.|invalid_request_error|null|UPSTREAM_4XX",
                "error.401.invalid-key.json|401|invalid x-api-key|authentication_error|null|AUTHENTICATION",
                "error.401.missing-key.json|401|x-api-key header is required|authentication_error|null|AUTHENTICATION",
                "error.shape.json|404|The requested resource could not be found.|not_found_error|null|UPSTREAM_4XX",
                "error.529.overloaded.json|529|Overloaded|api_error|overloaded_error|UPSTREAM_5XX",
            })
    void errorBodiesBecomeOpenAiErrors(String file, int status, String message, String type, String code, Kind kind) {
        ErrorDetail detail = AnthropicMapper.errorParser(JSON).parse(status, fixture(file));

        assertThat(detail).isEqualTo(new ErrorDetail(message, type, null, code));
        assertThat(UpstreamErrors.fromStatus("anthropic", status, detail, null).kind())
                .isEqualTo(kind);
    }

    @ParameterizedTest(name = "{0} → {1}, {2}")
    @CsvSource(
            nullValues = "null",
            value = {
                "invalid_request_error, 400, invalid_request_error, null, UPSTREAM_4XX",
                "authentication_error, 401, authentication_error, null, AUTHENTICATION",
                "billing_error, 402, billing_error, null, UPSTREAM_4XX",
                "permission_error, 403, permission_error, null, AUTHENTICATION",
                "not_found_error, 404, not_found_error, null, UPSTREAM_4XX",
                "request_too_large, 413, invalid_request_error, request_too_large, UPSTREAM_4XX",
                "rate_limit_error, 429, rate_limit_error, null, RATE_LIMITED",
                "api_error, 500, api_error, null, UPSTREAM_5XX",
                "timeout_error, 504, api_error, timeout_error, UPSTREAM_5XX",
                "overloaded_error, 529, api_error, overloaded_error, UPSTREAM_5XX",
                "brand_new_error, 500, brand_new_error, null, UPSTREAM_5XX",
            })
    void errorTypesTable(String anthropicType, int status, String openAiType, String code, Kind kind)
            throws IOException {
        assertThat(AnthropicMapper.statusOf(anthropicType)).isEqualTo(status);
        ErrorDetail detail = AnthropicMapper.errorDetail(
                JSON.readTree("{\"type\":\"" + anthropicType + "\",\"message\":\"m\"}"), status);
        assertThat(detail).isEqualTo(new ErrorDetail("m", openAiType, null, code));
        assertThat(UpstreamErrors.kindOf(status)).isEqualTo(kind);
    }

    @Test
    void bodiesThatAreNotAnthropicErrorsAreStillRead() {
        var parser = AnthropicMapper.errorParser(JSON);
        assertThat(parser.parse(502, "<html>Bad gateway</html>".getBytes(StandardCharsets.UTF_8))
                        .message())
                .isEqualTo("HTTP 502: <html>Bad gateway</html>");
        assertThat(parser.parse(
                                500,
                                "{\"error\":{\"message\":\"proxy says no\",\"type\":\"x\"}}"
                                        .getBytes(StandardCharsets.UTF_8))
                        .message())
                .isEqualTo("proxy says no");
        assertThat(parser.parse(500, new byte[0]).message()).isEqualTo("HTTP 500 with an empty body");
    }

    @Test
    void modelListPage() throws IOException {
        AnthropicModelPage page = AnthropicMapper.modelPage(tree("models.list.response.json"));

        assertThat(page.models()).containsExactly(ModelInfo.of("claude-sonnet-4-20250514", 1739923200L, "anthropic"));
        assertThat(page.hasMore()).isTrue();
        assertThat(page.lastId()).isEqualTo("<string>");
        assertThatThrownBy(() -> AnthropicMapper.modelPage(JSON.readTree("{\"models\":[]}")))
                .isInstanceOf(IOException.class);
    }

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource(
            nullValues = "null",
            value = {
                "2025-02-19T00:00:00Z, 1739923200",
                "2025-02-19T01:00:00+01:00, 1739923200",
                "yesterday, 0",
                "null, 0"
            })
    void createdAtIsRfc3339(String createdAt, long epochSeconds) {
        assertThat(AnthropicMapper.epochSeconds(createdAt)).isEqualTo(epochSeconds);
    }
}
