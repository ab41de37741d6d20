package io.switchboard.it;

import com.openai.models.chat.completions.ChatCompletionCreateParams;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.testing.Behavior;
import io.switchboard.testing.FakeUpstream;
import io.switchboard.testing.OpenAiWire;
import io.switchboard.testing.OtlpReceiver;
import io.switchboard.testing.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tracing off (the default), with a collector listening where it would export: requests work,
 * nothing is exported, and a client's trace context is passed on to every upstream attempt
 * unchanged, as W3C Trace Context asks of an intermediary that does not trace.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class TracingOffIntegrationTest {

    private static final String CHAT = "/v1/chat/completions";
    private static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    private static final FakeUpstream UPSTREAM = GatewayFixture.startUpstream();
    private static final OtlpReceiver RECEIVER = OtlpReceiver.start();
    private static final DropwizardAppExtension<SwitchboardConfiguration> APP = GatewayFixture.app(
            UPSTREAM,
            ConfigOverride.config("tracing.endpoint", RECEIVER::baseUrl),
            ConfigOverride.config("tracing.exportInterval", "50ms"));

    @AfterAll
    static void stop() {
        UPSTREAM.close();
        RECEIVER.close();
    }

    @Test
    void requestsWorkNothingIsExportedAndTheClientsContextGoesUpstreamUnchanged() throws Exception {
        UPSTREAM.onNext("POST", CHAT, Behavior.json(503, OpenAiWire.error("Overloaded", "server_error", null, null)));
        UPSTREAM.on("POST", CHAT, Behavior.json(200, OpenAiWire.chatCompletion("gpt-4o", "still here")));
        var openAi = GatewayFixture.openAi(APP);

        var traced = openAi.chat()
                .completions()
                .create(ChatCompletionCreateParams.builder()
                        .model("fake/gpt-4o")
                        .addUserMessage("hi")
                        .putAdditionalHeader("traceparent", TRACEPARENT)
                        .putAdditionalHeader("tracestate", "vendor=opaque-value")
                        .build());
        assertThat(traced.choices().get(0).message().content()).contains("still here");
        // Both attempts (the retry runs on the timer's thread) carried the client's context as it came.
        List<RecordedRequest> sent = UPSTREAM.requests(CHAT);
        assertThat(sent).hasSize(2);
        assertThat(sent).allSatisfy(request -> {
            assertThat(request.header("traceparent")).isEqualTo(TRACEPARENT);
            assertThat(request.header("tracestate")).isEqualTo("vendor=opaque-value");
        });

        var plain = openAi.chat()
                .completions()
                .create(ChatCompletionCreateParams.builder()
                        .model("fake/gpt-4o")
                        .addUserMessage("hi")
                        .build());
        assertThat(plain.choices().get(0).message().content()).contains("still here");
        assertThat(UPSTREAM.lastRequest(CHAT).header("traceparent")).isNull();

        var streamed = GatewayFixture.streamChat(
                openAi,
                ChatCompletionCreateParams.builder()
                        .model("echo")
                        .addUserMessage("a streamed echo")
                        .putAdditionalHeader("traceparent", TRACEPARENT)
                        .build(),
                "echo");
        assertThat(streamed.text()).contains("streamed");

        // Twenty export intervals: an exporter, had one been built, would have sent by now.
        Thread.sleep(1_000);
        assertThat(RECEIVER.exports()).isZero();
        assertThat(RECEIVER.spans()).isEmpty();
        assertThat(Thread.getAllStackTraces().keySet())
                .as("no span processor thread")
                .noneMatch(thread -> thread.getName().startsWith("BatchSpanProcessor"));
    }
}
