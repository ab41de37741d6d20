package io.switchboard.messages;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.api.ChatCompletionChunk;
import io.switchboard.api.ChatCompletionResponse;
import io.switchboard.provider.NativeMessages.Event;
import io.switchboard.provider.ProviderException;
import io.switchboard.provider.StreamObserver;
import io.switchboard.testing.Fixtures;
import io.switchboard.testing.OpenAiWire;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Messages API's translation to chat and back, against golden Claude Code-shaped bodies. */
class MessagesTranslationTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aClaudeCodeRequestTranslatesToTheGoldenChatRequest() throws Exception {
        var body = (ObjectNode) JSON.readTree(Fixtures.text("/fixtures/messages/claude-code.request.json"));
        MessagesRequests.check(body, false);

        var translation = MessagesRequests.toChat(body, true);

        assertThat(translation.refusal()).isNull();
        JsonNode expected = JSON.readTree(Fixtures.text("/fixtures/messages/claude-code.chat.json"));
        assertThat(JSON.valueToTree(translation.chat()).toPrettyString()).isEqualTo(expected.toPrettyString());
    }

    @Test
    void aStreamedRequestAsksForUsageOnlyWhenTold() throws Exception {
        var body = (ObjectNode) JSON.readTree("""
                {"model":"m","max_tokens":5,"stream":true,"messages":[{"role":"user","content":"hi"}]}""");
        assertThat(JSON.valueToTree(MessagesRequests.toChat(body, true).chat())
                        .at("/stream_options/include_usage")
                        .asBoolean())
                .isTrue();
        assertThat(JSON.valueToTree(MessagesRequests.toChat(body, false).chat()).has("stream_options"))
                .isFalse();
    }

    @Test
    void serverToolsAndDocumentsAreRefusedForTranslationNamingThem() throws Exception {
        var body = (ObjectNode) JSON.readTree("""
                {"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}],
                 "tools":[{"type":"web_search_20250305","name":"web_search","max_uses":3}]}""");
        var refusal = MessagesRequests.toChat(body, false).refusal();
        assertThat(refusal.param()).isEqualTo("tools.0.type");
        assertThat(refusal.message()).contains("web_search_20250305");
    }

    @Test
    void checksNameTheFieldAsAnthropicDoes() throws Exception {
        assertThatThrownBy(() ->
                        MessagesRequests.check((ObjectNode) JSON.readTree("{\"model\":\"m\",\"messages\":[]}"), false))
                .hasMessage("max_tokens: Field required");
        assertThatThrownBy(() -> MessagesRequests.check(
                        (ObjectNode)
                                JSON.readTree(
                                        "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"bot\",\"content\":\"x\"}]}"),
                        false))
                .hasMessage("messages.0.role: Input should be 'user' or 'assistant'");
        // count_tokens takes no max_tokens.
        MessagesRequests.check((ObjectNode) JSON.readTree("{\"model\":\"m\",\"messages\":[]}"), true);
    }

    @Test
    void theModelIsRewrittenAndNothingElse() {
        String body =
                "{ \"a\" : [1, 2.50e0], \"model\" :  \"anthropic/x\" , \"nested\":{\"model\":\"keep\"}, \"é\":\"ü\" }";
        byte[] out = ModelField.replace(body.getBytes(StandardCharsets.UTF_8), "x\"y");
        assertThat(new String(out, StandardCharsets.UTF_8))
                .isEqualTo(
                        "{ \"a\" : [1, 2.50e0], \"model\" :  \"x\\\"y\" , \"nested\":{\"model\":\"keep\"}, \"é\":\"ü\" }");

        String start =
                "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"model\":\"claude-sonnet-4-5\",\"usage\":{}}}";
        assertThat(ModelField.replaceInMessage(start, "anthropic/claude"))
                .isEqualTo(start.replace("\"claude-sonnet-4-5\"", "\"anthropic/claude\""));
        assertThat(ModelField.replaceInMessage("{\"type\":\"ping\"}", "m")).isEqualTo("{\"type\":\"ping\"}");
    }

    @Test
    void reasoningStreamsAsAThinkingBlockBeforeTheText() throws Exception {
        var events = new ArrayList<Event>();
        var stream = new ChatToMessagesStream("openai/o", collect(events));
        for (String chunk : List.of(
                "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"o\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"reasoning_content\":\"Think\"},\"finish_reason\":null}]}",
                "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"o\",\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"ing\"},\"finish_reason\":null}]}",
                "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"o\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Answer\"},\"finish_reason\":\"length\"}]}")) {
            stream.onNext(JSON.readValue(chunk, ChatCompletionChunk.class));
        }
        stream.onComplete();

        assertThat(events)
                .extracting(Event::name)
                .containsExactly(
                        "message_start",
                        "ping",
                        "content_block_start",
                        "content_block_delta",
                        "content_block_delta",
                        "content_block_stop",
                        "content_block_start",
                        "content_block_delta",
                        "content_block_stop",
                        "message_delta",
                        "message_stop");
        assertThat(JSON.readTree(events.get(2).data()).at("/content_block/type").asText())
                .isEqualTo("thinking");
        assertThat(JSON.readTree(events.get(3).data()).at("/delta/type").asText())
                .isEqualTo("thinking_delta");
        assertThat(JSON.readTree(events.get(6).data()).at("/index").asInt()).isEqualTo(1);
        assertThat(JSON.readTree(events.get(9).data()).at("/delta/stop_reason").asText())
                .isEqualTo("max_tokens");
        assertThat(JSON.readTree(events.get(0).data()).at("/message/id").asText())
                .isEqualTo("msg_c1");
    }

    @Test
    void aChatToolCallBecomesAToolUseMessage() throws Exception {
        var response = JSON.readValue(
                OpenAiWire.toolCallCompletion("gpt-4o", "call_9", "get_weather", "{\"city\":\"Oslo\"}"),
                ChatCompletionResponse.class);

        ObjectNode message = MessagesReplies.message(response, "openai/gpt-4o");

        assertThat(message.get("type").asText()).isEqualTo("message");
        assertThat(message.get("model").asText()).isEqualTo("openai/gpt-4o");
        assertThat(message.get("stop_reason").asText()).isEqualTo("tool_use");
        JsonNode tool = message.at("/content/0");
        assertThat(tool.get("type").asText()).isEqualTo("tool_use");
        assertThat(tool.get("id").asText()).isEqualTo("call_9");
        assertThat(tool.get("input")).isEqualTo(JSON.createObjectNode().put("city", "Oslo"));
        assertThat(message.at("/usage/input_tokens").asInt()).isEqualTo(OpenAiWire.PROMPT_TOKENS);
        assertThat(message.at("/usage/output_tokens").asInt()).isEqualTo(OpenAiWire.COMPLETION_TOKENS);
    }

    private static StreamObserver<Event> collect(List<Event> events) {
        return new StreamObserver<>() {
            @Override
            public void onNext(Event item) {
                events.add(item);
            }

            @Override
            public void onComplete() {}

            @Override
            public void onError(ProviderException error) {
                throw new AssertionError(error);
            }
        };
    }
}
