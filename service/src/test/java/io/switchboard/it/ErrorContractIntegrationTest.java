package io.switchboard.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.errors.BadRequestException;
import com.openai.errors.InternalServerException;
import com.openai.errors.NotFoundException;
import com.openai.errors.RateLimitException;
import com.openai.errors.SseException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.testing.Behavior;
import io.switchboard.testing.FakeUpstream;
import io.switchboard.testing.OpenAiWire;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every failure a client can meet comes back in OpenAI's error shape with a fitting status, and
 * the SDK raises the matching exception type.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class ErrorContractIntegrationTest {

    private static final FakeUpstream UPSTREAM = GatewayFixture.startUpstream();
    private static final DropwizardAppExtension<SwitchboardConfiguration> APP = GatewayFixture.app(UPSTREAM);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HELLO = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";

    private OpenAIClient client;

    @BeforeEach
    void setUp() {
        UPSTREAM.reset();
        GatewayFixture.listModels(UPSTREAM);
        client = GatewayFixture.openAi(APP);
    }

    @AfterAll
    static void stopUpstream() {
        UPSTREAM.close();
    }

    private static ChatCompletionCreateParams chat(String model) {
        return ChatCompletionCreateParams.builder()
                .model(model)
                .addUserMessage("hi")
                .build();
    }

    @Test
    void unknownModelIsNotFoundWithCloseMatches() {
        assertThatThrownBy(() -> client.chat().completions().create(chat("fake/gpt-4")))
                .isInstanceOfSatisfying(NotFoundException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(404);
                    assertThat(e.code()).contains("model_not_found");
                    assertThat(e.param()).contains("model");
                    assertThat(e.getMessage()).contains("fake/gpt-4o");
                });
        assertThat(UPSTREAM.count("/v1/chat/completions")).isZero();
    }

    @Test
    void upstreamClientErrorKeepsItsStatusAndMessageWithTheProviderName() {
        UPSTREAM.on(
                "POST",
                "/v1/chat/completions",
                Behavior.json(
                        400,
                        OpenAiWire.error(
                                "Invalid value for 'logit_bias'.",
                                "invalid_request_error",
                                "logit_bias",
                                "invalid_value")));

        assertThatThrownBy(() -> client.chat().completions().create(chat("fake/gpt-4o")))
                .isInstanceOfSatisfying(BadRequestException.class, e -> {
                    assertThat(e.getMessage()).contains("fake: Invalid value for 'logit_bias'.");
                    assertThat(e.param()).contains("logit_bias");
                    assertThat(e.code()).contains("invalid_value");
                    assertThat(e.type()).contains("invalid_request_error");
                });
    }

    @Test
    void upstreamAuthenticationFailureIsUnauthorized() {
        UPSTREAM.on(
                "POST",
                "/v1/chat/completions",
                Behavior.json(
                        401,
                        OpenAiWire.error(
                                "Incorrect API key provided.", "invalid_request_error", null, "invalid_api_key")));

        assertThatThrownBy(() -> client.chat().completions().create(chat("fake/gpt-4o")))
                .isInstanceOf(UnauthorizedException.class)
                .hasMessageContaining("fake: Incorrect API key provided.");
    }

    @Test
    void upstreamRateLimitIsPassedOnWithRetryAfter() throws Exception {
        UPSTREAM.on(
                "POST",
                "/v1/chat/completions",
                Behavior.json(
                        429,
                        OpenAiWire.error("Rate limit reached for requests", "requests", null, "rate_limit_exceeded"),
                        Map.of("Retry-After", "7")));

        assertThatThrownBy(() -> client.chat().completions().create(chat("fake/gpt-4o")))
                .isInstanceOfSatisfying(
                        RateLimitException.class,
                        e -> assertThat(e.headers().values("retry-after")).containsExactly("7"));
    }

    @ParameterizedTest(name = "upstream {0} → {1}")
    @CsvSource({"500, 502", "502, 502", "503, 503", "504, 502"})
    void upstreamServerErrorsAreGatewayErrors(int upstreamStatus, int clientStatus) throws Exception {
        UPSTREAM.on(
                "POST",
                "/v1/chat/completions",
                Behavior.json(upstreamStatus, OpenAiWire.error("The server had an error", "server_error", null, null)));

        var response =
                GatewayFixture.postJson(APP, "/v1/chat/completions", "{\"model\":\"fake/gpt-4o\"," + HELLO + "}");

        assertError(response, clientStatus, "api_error");
        assertThat(error(response).get("message").asText()).startsWith("fake: ");
    }

    @Test
    void unreachableUpstreamIsBadGateway() {
        assertThatThrownBy(() -> client.chat().completions().create(chat("down/any-model")))
                .isInstanceOfSatisfying(InternalServerException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(502);
                    assertThat(e.code()).contains("upstream_unreachable");
                    assertThat(e.getMessage()).contains("down: Cannot reach http://127.0.0.1:1/v1/chat/completions");
                });
    }

    @Test
    void slowUpstreamTimesOutWithGatewayTimeout() throws Exception {
        UPSTREAM.on("POST", "/v1/chat/completions", Behavior.hang());

        long start = System.nanoTime();
        var response =
                GatewayFixture.postJson(APP, "/v1/chat/completions", "{\"model\":\"fake/gpt-4o\"," + HELLO + "}");
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertError(response, 504, "api_error");
        assertThat(error(response).get("code").asText()).isEqualTo("upstream_timeout");
        assertThat(millis)
                .as("the provider's 2 s read timeout, well before the 3 s request timeout")
                .isBetween(1500L, 3500L);
    }

    @Test
    void malformedUpstreamBodyIsBadGateway() throws Exception {
        UPSTREAM.on("POST", "/v1/chat/completions", Behavior.malformed());

        var response =
                GatewayFixture.postJson(APP, "/v1/chat/completions", "{\"model\":\"fake/gpt-4o\"," + HELLO + "}");

        assertError(response, 502, "api_error");
        assertThat(error(response).get("code").asText()).isEqualTo("upstream_malformed_response");
        assertThat(response.body()).doesNotContain("Exception").doesNotContain("at io.");
    }

    @Test
    void failureBeforeTheFirstChunkIsAnOrdinaryHttpError() throws Exception {
        UPSTREAM.on(
                "POST",
                "/v1/chat/completions",
                Behavior.json(503, OpenAiWire.error("Overloaded", "server_error", null, null)));

        var response = GatewayFixture.postJson(
                APP, "/v1/chat/completions", "{\"model\":\"fake/gpt-4o\",\"stream\":true," + HELLO + "}");

        assertError(response, 503, "api_error");
        assertThat(response.headers().firstValue("content-type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
    }

    @Test
    void failureAfterTheFirstChunkEndsTheStreamWithAnErrorEventAndDone() throws Exception {
        UPSTREAM.on(
                "POST",
                "/v1/chat/completions",
                Behavior.sseThenCut(
                        OpenAiWire.chatStream("gpt-4o", List.of("a", "b", "c", "d"), false), Duration.ofMillis(20), 2));

        var response = GatewayFixture.postJson(
                APP, "/v1/chat/completions", "{\"model\":\"fake/gpt-4o\",\"stream\":true," + HELLO + "}");

        assertThat(response.statusCode()).isEqualTo(200);
        String[] events = response.body().split("\n\n");
        assertThat(events).hasSize(4);
        assertThat(events[1]).contains("\"content\":\"a\"");
        JsonNode error = JSON.readTree(events[2].substring("data: ".length())).get("error");
        assertThat(error.get("type").asText()).isEqualTo("api_error");
        assertThat(error.get("message").asText()).startsWith("fake: ");
        assertThat(events[3]).isEqualTo("data: [DONE]");

        // The SDK surfaces the in-band error as an exception, after the chunks it got.
        var seen = new ArrayList<String>();
        assertThatThrownBy(() -> {
                    try (var stream = client.chat().completions().createStreaming(chat("fake/gpt-4o"))) {
                        stream.stream()
                                .forEach(chunk -> chunk.choices()
                                        .forEach(c -> c.delta().content().ifPresent(seen::add)));
                    }
                })
                .isInstanceOf(SseException.class);
        assertThat(seen).containsExactly("", "a");
    }

    @Test
    void validationErrorsNameTheParameter() {
        var params = ChatCompletionCreateParams.builder()
                .model("echo")
                .addUserMessage("hi")
                .temperature(3.5)
                .build();
        assertThatThrownBy(() -> client.chat().completions().create(params))
                .isInstanceOfSatisfying(BadRequestException.class, e -> {
                    assertThat(e.param()).contains("temperature");
                    assertThat(e.type()).contains("invalid_request_error");
                });
    }

    @ParameterizedTest(name = "{0} {1} → {3}")
    @CsvSource(
            delimiter = '|',
            value = {
                "POST|/v1/chat/completions|{bad json|400|",
                "POST|/v1/chat/completions|[]|400|",
                "POST|/v1/chat/completions|{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}|400|model",
                "POST|/v1/chat/completions|{\"model\":\"echo\"}|400|messages",
                "POST|/v1/chat/completions|{\"model\":\"echo\",\"messages\":[]}|400|messages",
                "POST|/v1/chat/completions|{\"model\":\"echo\",\"messages\":\"hi\"}|400|messages",
                "POST|/v1/chat/completions|{\"model\":\"echo\",\"stream\":\"yes\",\"messages\":[]}|400|stream",
                "POST|/v1/nope|{}|404|",
                "POST|/v1/embeddings|{\"model\":\"echo\",\"input\":\"x\"}|400|model",
                "POST|/v1/images/generations|{\"model\":\"builtin/echo\",\"prompt\":\"x\"}|400|model",
            })
    void badRequestsGetOpenAiShapedErrors(String method, String path, String body, int status, String param)
            throws Exception {
        var response = GatewayFixture.postJson(APP, path, body);

        assertError(response, status, "invalid_request_error");
        JsonNode error = error(response);
        if (param != null) {
            assertThat(error.get("param").asText()).isEqualTo(param);
        } else {
            assertThat(error.get("param").isNull()).isTrue();
        }
    }

    @Test
    void wrongMethodIs405() throws Exception {
        var response = GatewayFixture.get(APP, "/v1/chat/completions");
        assertError(response, 405, "invalid_request_error");
        assertThat(error(response).get("message").asText())
                .isEqualTo("Invalid method for URL (GET /v1/chat/completions)");
    }

    @Test
    void unknownRouteIs404() throws Exception {
        var response = GatewayFixture.get(APP, "/v2/whatever");
        assertError(response, 404, "invalid_request_error");
        assertThat(error(response).get("message").asText()).isEqualTo("Invalid URL (GET /v2/whatever)");
    }

    @Test
    void wrongContentTypeIs415() throws Exception {
        var response = GatewayFixture.post(APP, "/v1/chat/completions", "text/plain", "{\"model\":\"echo\"}");
        assertError(response, 415, "invalid_request_error");
    }

    @Test
    void oversizeBodyIs413() throws Exception {
        String content = "x".repeat(70 * 1024);
        var response = GatewayFixture.postJson(
                APP,
                "/v1/chat/completions",
                "{\"model\":\"echo\",\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}");
        assertError(response, 413, "invalid_request_error");
        assertThat(error(response).get("code").asText()).isEqualTo("request_too_large");
    }

    @Test
    void capabilityTheModelLacksIsA400() throws Exception {
        var response = GatewayFixture.postJson(
                APP, "/v1/images/generations", "{\"model\":\"builtin/echo\",\"prompt\":\"a cat\"}");
        assertError(response, 400, "invalid_request_error");
        assertThat(error(response).get("message").asText())
                .isEqualTo("The model 'builtin/echo' does not support images.");
    }

    @Test
    void disabledProviderSaysWhy() {
        assertThatThrownBy(() -> client.chat().completions().create(chat("nokey/gpt-4o")))
                .isInstanceOf(NotFoundException.class)
                .hasMessageContaining("Provider 'nokey' is disabled: apiKey is empty");
    }

    private static void assertError(HttpResponse<String> response, int status, String type) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("content-type"))
                .hasValueSatisfying(value -> assertThat(value).startsWith("application/json"));
        JsonNode error = error(response);
        assertThat(error.get("type").asText()).isEqualTo(type);
        assertThat(error.has("message") && error.has("param") && error.has("code"))
                .isTrue();
        assertThat(JSON.readTree(response.body()).size())
                .as("only the error member")
                .isEqualTo(1);
    }

    private static JsonNode error(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body()).get("error");
    }
}
