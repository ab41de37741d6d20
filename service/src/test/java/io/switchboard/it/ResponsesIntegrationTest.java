package io.switchboard.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.helpers.ResponseAccumulator;
import com.openai.models.responses.FunctionTool;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseInputItem;
import com.openai.models.responses.ResponseStreamEvent;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.ResourceHelpers;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.switchboard.SwitchboardApplication;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.testing.Behavior;
import io.switchboard.testing.FakeUpstream;
import io.switchboard.testing.Fixtures;
import io.switchboard.testing.OpenAiWire;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * OpenAI's Responses API through the gateway with the official Java SDK: translated to chat
 * completions for a fake OpenAI-compatible upstream that serves nothing else (create, stream with
 * its exact event sequence, a function tool loop over previous_response_id, store: false), passed
 * through to a fake OpenAI that serves /v1/responses itself (model rewritten, unknown fields kept),
 * a previous response read by a second gateway on the same SQLite file, hostile input, and the
 * ledger row each call leaves.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class ResponsesIntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path DB =
            Path.of("target", "responses-" + System.nanoTime() + ".db").toAbsolutePath();
    private static final FakeUpstream UPSTREAM = FakeUpstream.start();
    private static final DropwizardAppExtension<SwitchboardConfiguration> APP = gateway();

    private static DropwizardAppExtension<SwitchboardConfiguration> gateway() {
        return new DropwizardAppExtension<>(
                SwitchboardApplication.class,
                ResourceHelpers.resourceFilePath("responses-test-config.yml"),
                ConfigOverride.config("database.url", () -> "jdbc:sqlite:" + DB),
                ConfigOverride.config("providers[0].baseUrl", () -> UPSTREAM.baseUrl() + "/chat/v1"),
                ConfigOverride.config("providers[1].baseUrl", () -> UPSTREAM.baseUrl() + "/openai/v1"),
                ConfigOverride.config("providers[2].baseUrl", () -> UPSTREAM.baseUrl() + "/anthropic"));
    }

    private static final String CHAT = "/chat/v1/chat/completions";

    @BeforeEach
    void reset() {
        UPSTREAM.reset();
    }

    @AfterAll
    static void stop() {
        UPSTREAM.close();
    }

    private static OpenAIClient client() {
        return GatewayFixture.openAi(APP);
    }

    @Test
    void createIsTranslatedToChatAndBack() throws Exception {
        UPSTREAM.on("POST", CHAT, Behavior.json(200, OpenAiWire.chatCompletion("gpt-4o", "Hello from chat")));

        Response response = client().responses()
                .create(ResponseCreateParams.builder()
                        .model("chat/gpt-4o")
                        .instructions("Be brief.")
                        .input("Say hello")
                        .maxOutputTokens(64)
                        .temperature(0.5)
                        .build());

        assertThat(response.id()).startsWith("resp_");
        assertThat(response.output()).hasSize(1);
        assertThat(firstText(response)).isEqualTo("Hello from chat");
        assertThat(response.usage().orElseThrow().inputTokens()).isEqualTo(OpenAiWire.PROMPT_TOKENS);
        assertThat(response.usage().orElseThrow().outputTokens()).isEqualTo(OpenAiWire.COMPLETION_TOKENS);

        JsonNode sent = UPSTREAM.lastRequest(CHAT).bodyJson();
        assertThat(sent.path("model").asText()).isEqualTo("gpt-4o");
        assertThat(sent.path("messages").get(0).path("role").asText()).isEqualTo("system");
        assertThat(sent.path("messages").get(0).path("content").asText()).isEqualTo("Be brief.");
        assertThat(sent.path("messages")
                        .get(1)
                        .path("content")
                        .get(0)
                        .path("text")
                        .asText())
                .isEqualTo("Say hello");
        assertThat(sent.path("max_tokens").asInt()).isEqualTo(64);
        assertThat(sent.path("temperature").asDouble()).isEqualTo(0.5);

        // Stored by default: retrievable, with its input items.
        Response again = client().responses().retrieve(response.id());
        assertThat(again.id()).isEqualTo(response.id());
        var items = JSON.readTree(GatewayFixture.get(APP, "/v1/responses/" + response.id() + "/input_items")
                .body());
        assertThat(items.path("object").asText()).isEqualTo("list");
        assertThat(items.path("data")).hasSize(1);
        assertThat(items.path("data").get(0).path("id").asText()).startsWith("msg_");
    }

    @Test
    void streamSendsTheExactEventSequence() throws Exception {
        UPSTREAM.on(
                "POST", CHAT, Behavior.sse(OpenAiWire.chatStream("gpt-4o", List.of("Hel", "lo"), true), Duration.ZERO));

        var raw = GatewayFixture.postJson(
                APP, "/v1/responses", "{\"model\":\"chat/gpt-4o\",\"input\":\"hi\",\"stream\":true}");

        assertThat(raw.statusCode()).isEqualTo(200);
        assertThat(raw.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        var names = new ArrayList<String>();
        var data = new ArrayList<JsonNode>();
        for (String line : raw.body().split("\n")) {
            if (line.startsWith("event:")) {
                names.add(line.substring(6).strip());
            } else if (line.startsWith("data:")) {
                data.add(JSON.readTree(line.substring(5).strip()));
            }
        }
        assertThat(names)
                .containsExactly(
                        "response.created",
                        "response.in_progress",
                        "response.output_item.added",
                        "response.content_part.added",
                        "response.output_text.delta",
                        "response.output_text.delta",
                        "response.output_text.done",
                        "response.content_part.done",
                        "response.output_item.done",
                        "response.completed");
        assertThat(data).hasSize(names.size());
        for (int i = 0; i < data.size(); i++) {
            assertThat(data.get(i).path("type").asText()).isEqualTo(names.get(i));
            assertThat(data.get(i).path("sequence_number").asInt()).isEqualTo(i);
        }
        assertThat(raw.body()).doesNotContain("[DONE]");
        var completed = data.get(data.size() - 1).path("response");
        assertThat(completed.path("model").asText()).isEqualTo("chat/gpt-4o");
        assertThat(completed.path("status").asText()).isEqualTo("completed");
        assertThat(completed.path("usage").path("input_tokens").asInt()).isEqualTo(OpenAiWire.PROMPT_TOKENS);
        assertThat(completed
                        .path("output")
                        .get(0)
                        .path("content")
                        .get(0)
                        .path("text")
                        .asText())
                .isEqualTo("Hello");
        // The upstream was asked for usage in its stream.
        assertThat(UPSTREAM.lastRequest(CHAT)
                        .bodyJson()
                        .path("stream_options")
                        .path("include_usage")
                        .asBoolean())
                .isTrue();

        // The SDK reads the same stream and accumulates the response.
        UPSTREAM.on(
                "POST",
                CHAT,
                Behavior.sse(OpenAiWire.chatStream("gpt-4o", List.of("a", "b", "c"), true), Duration.ZERO));
        Response streamed = streamed(
                ResponseCreateParams.builder().model("chat/gpt-4o").input("x").build());
        assertThat(firstText(streamed)).isEqualTo("abc");
        assertThat(client().responses().retrieve(streamed.id()).id()).isEqualTo(streamed.id());
    }

    @Test
    void aStreamCutAtTheTokenLimitIsIncompleteAndOneBrokenAfterTheCommitPointFails() throws Exception {
        String chunk = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\","
                + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Lon\"},\"finish_reason\":null}]}\n\n";
        String length = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\","
                + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"length\"}]}\n\n";
        UPSTREAM.on("POST", CHAT, Behavior.sse(List.of(chunk, length, OpenAiWire.DONE), Duration.ZERO));
        var incomplete = events(GatewayFixture.postJson(
                APP, "/v1/responses", "{\"model\":\"chat/gpt-4o\",\"input\":\"x\",\"stream\":true}"));
        var last = incomplete.get(incomplete.size() - 1);
        assertThat(last.path("type").asText()).isEqualTo("response.incomplete");
        assertThat(last.path("response")
                        .path("incomplete_details")
                        .path("reason")
                        .asText())
                .isEqualTo("max_output_tokens");

        UPSTREAM.on("POST", CHAT, Behavior.sseThenCut(List.of(chunk, length), Duration.ofMillis(50), 1));
        var failed = events(GatewayFixture.postJson(
                APP, "/v1/responses", "{\"model\":\"chat/gpt-4o\",\"input\":\"x\",\"stream\":true}"));
        assertThat(failed.stream().map(event -> event.path("type").asText()))
                .contains("response.output_text.delta")
                .last()
                .isEqualTo("response.failed");
        var failure = failed.get(failed.size() - 1);
        assertThat(failure.path("response").path("status").asText()).isEqualTo("failed");
        assertThat(failure.path("response").path("error").path("code").asText()).isEqualTo("server_error");
        assertThat(failure.path("sequence_number").asInt()).isEqualTo(failed.size() - 1);
    }

    private static List<JsonNode> events(java.net.http.HttpResponse<String> raw) throws Exception {
        assertThat(raw.statusCode()).isEqualTo(200);
        var data = new ArrayList<JsonNode>();
        for (String line : raw.body().split("\n")) {
            if (line.startsWith("data:")) {
                data.add(JSON.readTree(line.substring(5).strip()));
            }
        }
        return data;
    }

    @Test
    void anAnthropicUpstreamAnswersThroughItsAdapter() throws Exception {
        String messages = "/anthropic/v1/messages";
        UPSTREAM.on(
                "POST", messages, Behavior.json(200, Fixtures.text("/fixtures/anthropic/messages.text.response.json")));

        Response response = client().responses()
                .create(ResponseCreateParams.builder()
                        .model("claude/claude-sonnet-4-5")
                        .instructions("You are Claude.")
                        .input("Who are you?")
                        .maxOutputTokens(100)
                        .build());

        assertThat(firstText(response)).isEqualTo("Hi! My name is Claude.");
        assertThat(response.usage().orElseThrow().inputTokens()).isEqualTo(2095);
        assertThat(response.usage().orElseThrow().outputTokens()).isEqualTo(503);
        JsonNode sent = UPSTREAM.lastRequest(messages).bodyJson();
        assertThat(sent.path("model").asText()).isEqualTo("claude-sonnet-4-5");
        assertThat(sent.path("system").toString()).contains("You are Claude.");
        assertThat(sent.path("max_tokens").asInt()).isEqualTo(100);
        assertThat(sent.path("messages").get(0).path("role").asText()).isEqualTo("user");

        UPSTREAM.on(
                "POST",
                messages,
                Behavior.status(
                        200,
                        Fixtures.text("/fixtures/anthropic/stream.text.sse"),
                        Map.of("Content-Type", "text/event-stream")));
        Response streamed = streamed(ResponseCreateParams.builder()
                .model("claude/claude-sonnet-4-5")
                .input("Hello")
                .build());
        assertThat(firstText(streamed)).startsWith("Hello");
        assertThat(streamed.usage().orElseThrow().inputTokens()).isEqualTo(25);
    }

    @Test
    void functionToolLoopContinuesThePreviousResponse() {
        UPSTREAM.onNext(
                "POST",
                CHAT,
                Behavior.json(
                        200, OpenAiWire.toolCallCompletion("gpt-4o", "call_42", "get_weather", "{\"city\":\"Oslo\"}")));
        UPSTREAM.onNext("POST", CHAT, Behavior.json(200, OpenAiWire.chatCompletion("gpt-4o", "It is 3 degrees.")));
        var tool = FunctionTool.builder()
                .name("get_weather")
                .description("Weather in a city")
                .parameters(FunctionTool.Parameters.builder()
                        .putAdditionalProperty("type", JsonValue.from("object"))
                        .putAdditionalProperty("properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
                        .build())
                .strict(false)
                .build();

        Response first = client().responses()
                .create(ResponseCreateParams.builder()
                        .model("chat/gpt-4o")
                        .input("Weather in Oslo?")
                        .addTool(tool)
                        .build());
        var call = first.output().get(0).asFunctionCall();
        assertThat(call.name()).isEqualTo("get_weather");
        assertThat(call.callId()).isEqualTo("call_42");
        assertThat(call.arguments()).isEqualTo("{\"city\":\"Oslo\"}");

        Response second = client().responses()
                .create(ResponseCreateParams.builder()
                        .model("chat/gpt-4o")
                        .previousResponseId(first.id())
                        .inputOfResponse(List.of(
                                ResponseInputItem.ofFunctionCallOutput(ResponseInputItem.FunctionCallOutput.builder()
                                        .callId("call_42")
                                        .output("3 degrees")
                                        .build())))
                        .addTool(tool)
                        .build());
        assertThat(firstText(second)).isEqualTo("It is 3 degrees.");
        assertThat(second.previousResponseId()).contains(first.id());

        JsonNode sent = UPSTREAM.lastRequest(CHAT).bodyJson();
        JsonNode messages = sent.path("messages");
        assertThat(messages).hasSize(3);
        assertThat(messages.get(0).path("role").asText()).isEqualTo("user");
        assertThat(messages.get(1).path("role").asText()).isEqualTo("assistant");
        assertThat(messages.get(1).path("tool_calls").get(0).path("id").asText())
                .isEqualTo("call_42");
        assertThat(messages.get(1)
                        .path("tool_calls")
                        .get(0)
                        .path("function")
                        .path("name")
                        .asText())
                .isEqualTo("get_weather");
        assertThat(messages.get(2).path("role").asText()).isEqualTo("tool");
        assertThat(messages.get(2).path("tool_call_id").asText()).isEqualTo("call_42");
        assertThat(messages.get(2).path("content").asText()).isEqualTo("3 degrees");
        assertThat(sent.path("tools").get(0).path("function").path("name").asText())
                .isEqualTo("get_weather");
    }

    @Test
    void storeFalseKeepsNothingAndUnknownPreviousIdsAre404() throws Exception {
        UPSTREAM.on("POST", CHAT, Behavior.json(200, OpenAiWire.chatCompletion("gpt-4o", "not kept")));
        Response response = client().responses()
                .create(ResponseCreateParams.builder()
                        .model("chat/gpt-4o")
                        .input("forget me")
                        .store(false)
                        .build());

        assertThatThrownBy(() -> client().responses().retrieve(response.id())).isInstanceOf(NotFoundException.class);
        var missing = GatewayFixture.postJson(
                APP,
                "/v1/responses",
                "{\"model\":\"chat/gpt-4o\",\"input\":\"x\",\"previous_response_id\":\"" + response.id() + "\"}");
        assertThat(missing.statusCode()).isEqualTo(404);
        JsonNode error = JSON.readTree(missing.body()).path("error");
        assertThat(error.path("param").asText()).isEqualTo("previous_response_id");
        assertThat(error.path("message").asText())
                .isEqualTo("Previous response with id '" + response.id() + "' not found.");
        assertThat(GatewayFixture.get(APP, "/v1/responses/resp_nope").statusCode())
                .isEqualTo(404);
    }

    @Test
    void openAiGetsTheBodyAsSentWithOnlyTheModelRewritten() throws Exception {
        var upstreamResponse = JSON.createObjectNode()
                .put("id", "resp_native_1")
                .put("object", "response")
                .put("created_at", 1741476542)
                .put("status", "completed")
                .put("model", "gpt-4o-2024-08-06")
                .put("brand_new_field", "kept");
        var message = upstreamResponse
                .putArray("output")
                .addObject()
                .put("type", "message")
                .put("id", "msg_native")
                .put("status", "completed")
                .put("role", "assistant");
        message.putArray("content")
                .addObject()
                .put("type", "output_text")
                .put("text", "native!")
                .putArray("annotations");
        upstreamResponse
                .putObject("usage")
                .put("input_tokens", 7)
                .put("output_tokens", 3)
                .put("total_tokens", 10);
        UPSTREAM.on("POST", "/openai/v1/responses", Behavior.json(200, upstreamResponse.toString()));

        var raw = GatewayFixture.postJson(
                APP,
                "/v1/responses",
                "{\"model\":\"openai/gpt-4o\",\"input\":\"hi\",\"x_future_option\":{\"a\":1},\"include\":[\"reasoning.encrypted_content\"]}");

        assertThat(raw.statusCode()).isEqualTo(200);
        JsonNode sent = UPSTREAM.lastRequest("/openai/v1/responses").bodyJson();
        assertThat(sent.path("model").asText()).isEqualTo("gpt-4o");
        assertThat(sent.path("x_future_option").path("a").asInt()).isEqualTo(1);
        assertThat(sent.path("include").get(0).asText()).isEqualTo("reasoning.encrypted_content");
        assertThat(sent.path("input").asText()).isEqualTo("hi");
        assertThat(UPSTREAM.count(CHAT)).isZero();
        JsonNode body = JSON.readTree(raw.body());
        assertThat(body.path("model").asText()).isEqualTo("openai/gpt-4o");
        assertThat(body.path("brand_new_field").asText()).isEqualTo("kept");
        assertThat(body.path("output")
                        .get(0)
                        .path("content")
                        .get(0)
                        .path("text")
                        .asText())
                .isEqualTo("native!");
        // Stored by the gateway under the upstream's id.
        assertThat(client().responses().retrieve("resp_native_1").id()).isEqualTo("resp_native_1");
    }

    @Test
    void aSecondGatewayOnTheSameDatabaseContinuesAStoredResponse() throws Exception {
        UPSTREAM.on("POST", CHAT, Behavior.json(200, OpenAiWire.chatCompletion("gpt-4o", "first answer")));
        Response first = client().responses()
                .create(ResponseCreateParams.builder()
                        .model("chat/gpt-4o")
                        .input("first question")
                        .build());

        var restarted = gateway();
        restarted.before();
        try {
            Response second = GatewayFixture.openAi(restarted)
                    .responses()
                    .create(ResponseCreateParams.builder()
                            .model("chat/gpt-4o")
                            .previousResponseId(first.id())
                            .input("second question")
                            .build());
            assertThat(second.previousResponseId()).contains(first.id());
        } finally {
            restarted.after();
        }
        JsonNode messages = UPSTREAM.lastRequest(CHAT).bodyJson().path("messages");
        assertThat(messages).hasSize(3);
        assertThat(messages.get(0).path("content").get(0).path("text").asText()).isEqualTo("first question");
        assertThat(messages.get(1).path("role").asText()).isEqualTo("assistant");
        assertThat(messages.get(1).path("content").asText()).isEqualTo("first answer");
        assertThat(messages.get(2).path("content").get(0).path("text").asText()).isEqualTo("second question");
    }

    @Test
    void hostileInputGetsOpenAiShaped400s() throws Exception {
        var cases = Map.of(
                "[]", "",
                "{\"input\":\"x\"}", "model",
                "{\"model\":5,\"input\":\"x\"}", "model",
                "{\"model\":\"chat/gpt-4o\",\"input\":42}", "input",
                "{\"model\":\"chat/gpt-4o\",\"input\":[7]}", "input[0]",
                "{\"model\":\"chat/gpt-4o\",\"input\":\"x\",\"temperature\":\"hot\"}", "temperature",
                "{\"model\":\"chat/gpt-4o\",\"input\":\"x\",\"max_output_tokens\":-1}", "max_output_tokens",
                "{\"model\":\"chat/gpt-4o\",\"input\":\"x\",\"tools\":[{\"type\":\"web_search\"}]}", "tools[0]",
                "{\"model\":\"chat/gpt-4o\",\"input\":[{\"type\":\"computer_call\",\"id\":\"c\"}]}", "input[0]",
                "{\"model\":\"chat/gpt-4o\",\"input\":\"x\",\"text\":{\"format\":{\"type\":\"yaml\"}}}",
                        "text.format.type");
        for (var entry : cases.entrySet()) {
            var answer = GatewayFixture.postJson(APP, "/v1/responses", entry.getKey());
            assertThat(answer.statusCode()).as(entry.getKey()).isEqualTo(400);
            JsonNode error = JSON.readTree(answer.body()).path("error");
            assertThat(error.path("type").asText()).as(entry.getKey()).isEqualTo("invalid_request_error");
            assertThat(error.path("message").asText()).as(entry.getKey()).isNotBlank();
            if (!entry.getValue().isEmpty()) {
                assertThat(error.path("param").asText()).as(entry.getKey()).isEqualTo(entry.getValue());
            }
            assertThat(answer.body()).doesNotContain("Exception");
        }
        assertThat(UPSTREAM.count(CHAT)).isZero();
        assertThat(GatewayFixture.get(APP, "/v1/responses/resp_x/input_items?limit=0")
                        .statusCode())
                .isIn(400, 404);
        var unknownModel = GatewayFixture.postJson(APP, "/v1/responses", "{\"model\":\"nope/none\",\"input\":\"x\"}");
        assertThat(unknownModel.statusCode()).isEqualTo(404);
    }

    @Test
    void eachCallLeavesALedgerRowForTheResponsesEndpoint() throws Exception {
        UPSTREAM.on("POST", CHAT, Behavior.json(200, OpenAiWire.chatCompletion("gpt-4o", "counted")));
        Response response = client().responses()
                .create(ResponseCreateParams.builder()
                        .model("chat/gpt-4o")
                        .input("count me")
                        .build());
        assertThat(response.id()).isNotBlank();

        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        ObjectNode row = null;
        while (row == null && System.nanoTime() < deadline) {
            try (var db = DriverManager.getConnection("jdbc:sqlite:" + DB);
                    var query = db.prepareStatement("SELECT provider, model_requested, prompt_tokens,"
                            + " completion_tokens, status FROM usage_ledger WHERE endpoint = '/v1/responses'"
                            + " AND provider = 'chat'"
                            + " AND prompt_tokens IS NOT NULL ORDER BY id DESC LIMIT 1")) {
                var rs = query.executeQuery();
                if (rs.next()) {
                    row = JSON.createObjectNode()
                            .put("provider", rs.getString(1))
                            .put("model", rs.getString(2))
                            .put("prompt", rs.getLong(3))
                            .put("completion", rs.getLong(4))
                            .put("status", rs.getInt(5));
                }
            }
            if (row == null) {
                Thread.sleep(50);
            }
        }
        assertThat(row).as("a ledger row for /v1/responses").isNotNull();
        assertThat(row.path("provider").asText()).isEqualTo("chat");
        assertThat(row.path("model").asText()).isEqualTo("chat/gpt-4o");
        assertThat(row.path("prompt").asLong()).isEqualTo(OpenAiWire.PROMPT_TOKENS);
        assertThat(row.path("completion").asLong()).isEqualTo(OpenAiWire.COMPLETION_TOKENS);
        assertThat(row.path("status").asInt()).isEqualTo(200);
    }

    /** A streamed response as the SDK's accumulator puts it together. */
    private static Response streamed(ResponseCreateParams params) {
        var accumulator = ResponseAccumulator.create();
        try (StreamResponse<ResponseStreamEvent> stream = client().responses().createStreaming(params)) {
            stream.stream().forEach(accumulator::accumulate);
        }
        return accumulator.response();
    }

    /** The text of a response's first output message. */
    private static String firstText(Response response) {
        return response.output()
                .get(0)
                .asMessage()
                .content()
                .get(0)
                .asOutputText()
                .text();
    }
}
