package io.switchboard.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Content that looks like SSE framing (newlines, {@code data: [DONE]}, a bare CR) travels inside
 * the JSON of one event and never ends an event or the stream early: through the builtin echo,
 * and from an upstream whose chunks carry raw newlines.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class SseFramingIntegrationTest {

    private static final FakeUpstream UPSTREAM = GatewayFixture.startUpstream();
    private static final DropwizardAppExtension<SwitchboardConfiguration> APP = GatewayFixture.app(UPSTREAM);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HOSTILE =
            "one\n\ndata: [DONE]\n\nevent: error\ndata: {\"error\":1}\r\rtwo\r\n: comment\u2028end";

    @BeforeEach
    void setUp() {
        UPSTREAM.reset();
        GatewayFixture.listModels(UPSTREAM);
    }

    @AfterAll
    static void stopUpstream() {
        UPSTREAM.close();
    }

    /** Every event one {@code data:} line; all JSON but the last, which is the only {@code [DONE]}. */
    private static List<JsonNode> events(String body) throws Exception {
        assertThat(body).endsWith("data: [DONE]\n\n");
        String[] events = body.substring(0, body.length() - 2).split("\n\n", -1);
        var chunks = new ArrayList<JsonNode>();
        for (int i = 0; i < events.length; i++) {
            String event = events[i];
            assertThat(event)
                    .as("event %d is one data line", i)
                    .startsWith("data: ")
                    .doesNotContain("\n")
                    .doesNotContain("\r");
            if (i == events.length - 1) {
                assertThat(event).isEqualTo("data: [DONE]");
            } else {
                chunks.add(JSON.readTree(event.substring("data: ".length())));
            }
        }
        return chunks;
    }

    private static String content(List<JsonNode> chunks) {
        var text = new StringBuilder();
        for (JsonNode chunk : chunks) {
            JsonNode content = chunk.at("/choices/0/delta/content");
            if (content.isTextual()) {
                text.append(content.textValue());
            }
        }
        return text.toString();
    }

    @Test
    void theEchoStreamsFramingLookalikesAsContent() throws Exception {
        String body = JSON.writeValueAsString(JSON.createObjectNode()
                .put("model", "echo")
                .put("stream", true)
                .set(
                        "messages",
                        JSON.createArrayNode()
                                .add(JSON.createObjectNode().put("role", "user").put("content", HOSTILE))));

        var response = GatewayFixture.postJson(APP, "/v1/chat/completions", body);

        assertThat(response.statusCode()).isEqualTo(200);
        List<JsonNode> chunks = events(response.body());
        // The echo repeats the words of the message; whitespace between them becomes one space.
        assertThat(content(chunks)).isEqualTo(String.join(" ", HOSTILE.strip().split("\\s+")));
        assertThat(content(chunks)).contains("data: [DONE]", "{\"error\":1}");
    }

    @Test
    void newlinesInUpstreamContentStayInsideTheirEvent() throws Exception {
        var pieces = List.of(
                "one\n\n",
                "data: [DONE]\n\n",
                "\r\r",
                "event: error\n",
                "data: {\"error\":1}\n\n",
                "two\r\n: comment\u2028",
                "end");
        UPSTREAM.on(
                "POST",
                "/v1/chat/completions",
                Behavior.sse(OpenAiWire.chatStream("gpt-4o", pieces, false), Duration.ZERO));

        var response = GatewayFixture.postJson(
                APP,
                "/v1/chat/completions",
                "{\"model\":\"fake/gpt-4o\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(content(events(response.body()))).isEqualTo(String.join("", pieces));

        // And the official SDK, which parses the same stream, sees the same text.
        var params = ChatCompletionCreateParams.builder()
                .model("fake/gpt-4o")
                .addUserMessage("hi")
                .build();
        var seen = new StringBuilder();
        try (var stream = GatewayFixture.openAi(APP).chat().completions().createStreaming(params)) {
            stream.stream()
                    .forEach(chunk ->
                            chunk.choices().forEach(c -> c.delta().content().ifPresent(seen::append)));
        }
        assertThat(seen.toString()).isEqualTo(String.join("", pieces));
    }
}
