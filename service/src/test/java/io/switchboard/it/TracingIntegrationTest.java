package io.switchboard.it;

import com.openai.client.OpenAIClient;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import io.opentelemetry.proto.trace.v1.Status;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.testing.Behavior;
import io.switchboard.testing.FakeUpstream;
import io.switchboard.testing.OpenAiWire;
import io.switchboard.testing.OtlpReceiver;
import io.switchboard.testing.OtlpReceiver.Received;
import io.switchboard.testing.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tracing on: the gateway exports to an OTLP/HTTP receiver on loopback, the client is the
 * official OpenAI SDK sending a W3C {@code traceparent}, and the upstream is a fake OpenAI
 * server that records the trace context it was sent.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class TracingIntegrationTest {

    private static final String CHAT = "/v1/chat/completions";
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static final FakeUpstream UPSTREAM = GatewayFixture.startUpstream();
    private static final OtlpReceiver RECEIVER = OtlpReceiver.start();
    private static final DropwizardAppExtension<SwitchboardConfiguration> APP = GatewayFixture.app(
            UPSTREAM,
            ConfigOverride.config("tracing.enabled", "true"),
            ConfigOverride.config("tracing.endpoint", RECEIVER::baseUrl),
            ConfigOverride.config("tracing.serviceName", "switchboard-under-test"),
            ConfigOverride.config("tracing.exportInterval", "50ms"),
            ConfigOverride.config("tracing.headers.X-Collector-Key", "collector-secret"));

    @BeforeEach
    void reset() {
        UPSTREAM.reset();
        GatewayFixture.listModels(UPSTREAM);
        RECEIVER.reset();
    }

    @AfterAll
    static void stop() {
        UPSTREAM.close();
        RECEIVER.close();
    }

    @Test
    void aRetriedCallIsOneServerSpanUnderTheClientsTraceWithOneClientSpanPerAttempt() {
        UPSTREAM.onNext(
                "POST",
                CHAT,
                Behavior.json(503, OpenAiWire.error("The engine is currently overloaded", "server_error", null, null)));
        UPSTREAM.on("POST", CHAT, Behavior.json(200, OpenAiWire.chatCompletion("gpt-4o-2024-08-06", "Hello there")));
        var client = ClientTrace.random();

        var completion = GatewayFixture.openAi(APP)
                .chat()
                .completions()
                .create(ChatCompletionCreateParams.builder()
                        .model("fake/gpt-4o")
                        .addUserMessage("Say hello")
                        .maxCompletionTokens(50)
                        .temperature(0.25)
                        .putAdditionalHeader("traceparent", client.traceparent())
                        .putAdditionalHeader("tracestate", "vendor=opaque-value")
                        .build());
        assertThat(completion.choices().get(0).message().content()).contains("Hello there");

        Received server = serverSpan(client);
        assertThat(server.parentSpanId()).isEqualTo(client.spanId());
        assertThat(server.name()).isEqualTo("chat fake/gpt-4o");
        assertThat(server.attribute("gen_ai.operation.name")).isEqualTo("chat");
        assertThat(server.attribute("gen_ai.request.model")).isEqualTo("fake/gpt-4o");
        assertThat(server.attribute("gen_ai.provider.name")).isEqualTo("fake");
        assertThat(server.attribute("gen_ai.response.model")).isEqualTo("gpt-4o-2024-08-06");
        assertThat(server.attribute("gen_ai.response.id")).isEqualTo(OpenAiWire.CHAT_COMPLETION_ID);
        assertThat(server.attribute("gen_ai.request.max_tokens")).isEqualTo(50L);
        assertThat(server.attribute("gen_ai.request.temperature")).isEqualTo(0.25);
        assertThat(server.attribute("gen_ai.usage.input_tokens")).isEqualTo((long) OpenAiWire.PROMPT_TOKENS);
        assertThat(server.attribute("gen_ai.usage.output_tokens")).isEqualTo((long) OpenAiWire.COMPLETION_TOKENS);
        assertThat(server.attribute("gen_ai.response.finish_reasons")).isEqualTo(List.of("stop"));
        assertThat(server.attribute("switchboard.attempts")).isEqualTo(2L);
        assertThat(server.attribute("http.request.method")).isEqualTo("POST");
        assertThat(server.attribute("url.path")).isEqualTo(CHAT);
        assertThat(server.attribute("http.response.status_code")).isEqualTo(200L);
        assertThat(server.attribute("switchboard.request_id")).asString().isNotBlank();
        assertThat(server.span().getStatus().getCode()).isNotEqualTo(Status.StatusCode.STATUS_CODE_ERROR);
        assertThat(server.resourceAttribute("service.name")).isEqualTo("switchboard-under-test");
        assertThat(server.resourceAttribute("service.instance.id")).asString().isNotBlank();

        List<Received> attempts = attemptSpans(server, 2);
        Received first = attempts.get(0);
        Received second = attempts.get(1);
        for (Received attempt : attempts) {
            assertThat(attempt.traceId()).isEqualTo(client.traceId());
            assertThat(attempt.name()).isEqualTo("chat gpt-4o");
            assertThat(attempt.attribute("gen_ai.provider.name")).isEqualTo("fake");
            assertThat(attempt.attribute("gen_ai.request.model")).isEqualTo("gpt-4o");
            assertThat(attempt.attribute("switchboard.request_id"))
                    .isEqualTo(server.attribute("switchboard.request_id"));
            assertThat(attempt.startNanos()).isGreaterThanOrEqualTo(server.startNanos());
            assertThat(attempt.endNanos()).isLessThanOrEqualTo(server.endNanos());
        }
        assertThat(first.attribute("switchboard.attempt")).isEqualTo(1L);
        assertThat(first.attribute("error.type")).isEqualTo("upstream_5xx");
        assertThat(first.attribute("http.response.status_code")).isEqualTo(503L);
        assertThat(first.span().getStatus().getCode()).isEqualTo(Status.StatusCode.STATUS_CODE_ERROR);
        assertThat(second.attribute("switchboard.attempt")).isEqualTo(2L);
        assertThat(second.attribute("error.type")).isNull();
        assertThat(second.span().getStatus().getCode()).isNotEqualTo(Status.StatusCode.STATUS_CODE_ERROR);
        assertThat(second.startNanos()).isGreaterThanOrEqualTo(first.endNanos());

        // Each upstream request carried the trace, with its own attempt's span as the parent, and
        // the client's tracestate passed on.
        List<RecordedRequest> sent = UPSTREAM.requests(CHAT);
        assertThat(sent).hasSize(2);
        for (int i = 0; i < 2; i++) {
            String traceparent = sent.get(i).header("traceparent");
            assertThat(traceparent)
                    .as("traceparent of upstream request %d", i + 1)
                    .satisfies(sampledChildOf(client.traceId(), attempts.get(i).spanId()));
            assertThat(sent.get(i).header("tracestate")).isEqualTo("vendor=opaque-value");
        }

        // The exporter sent the configured header to the collector.
        assertThat(RECEIVER.exportHeaders())
                .allSatisfy(
                        headers -> assertThat(headers.get("X-collector-key")).containsExactly("collector-secret"));
    }

    @Test
    void aStreamsServerSpanEndsWhenTheStreamEnds() {
        Duration gap = Duration.ofMillis(150);
        UPSTREAM.on(
                "POST",
                CHAT,
                Behavior.sse(OpenAiWire.chatStream("gpt-4o-2024-08-06", List.of("one", " two", " three"), true), gap));
        var client = ClientTrace.random();
        OpenAIClient openAi = GatewayFixture.openAi(APP);

        var streamed = GatewayFixture.streamChat(
                openAi,
                ChatCompletionCreateParams.builder()
                        .model("fake/gpt-4o")
                        .addUserMessage("Count")
                        .streamOptions(ChatCompletionStreamOptions.builder()
                                .includeUsage(true)
                                .build())
                        .putAdditionalHeader("traceparent", client.traceparent())
                        .build(),
                "fake/gpt-4o");
        assertThat(streamed.text()).isEqualTo("one two three");

        Received server = serverSpan(client);
        assertThat(server.name()).isEqualTo("chat fake/gpt-4o");
        assertThat(server.attribute("switchboard.streamed")).isEqualTo(true);
        assertThat(server.attribute("gen_ai.response.id")).isEqualTo(OpenAiWire.CHAT_COMPLETION_ID);
        assertThat(server.attribute("gen_ai.response.finish_reasons")).isEqualTo(List.of("stop"));
        assertThat(server.attribute("gen_ai.usage.input_tokens")).isEqualTo((long) OpenAiWire.PROMPT_TOKENS);
        assertThat(server.attribute("gen_ai.usage.output_tokens")).isEqualTo((long) OpenAiWire.COMPLETION_TOKENS);
        assertThat((Double) server.attribute("switchboard.time_to_first_chunk_ms"))
                .isPositive();

        // Seven frames 150 ms apart: the first chunk with text is the second frame, and the last
        // frame comes five gaps after it. The request's span covers all of it.
        long firstChunk = server.eventNanos("first_chunk");
        assertThat(server.endNanos() - firstChunk).isGreaterThanOrEqualTo(4 * gap.toNanos());
        Received attempt = attemptSpans(server, 1).get(0);
        assertThat(attempt.hasEvent("first_chunk")).isTrue();
        assertThat(attempt.endNanos() - attempt.eventNanos("first_chunk")).isGreaterThanOrEqualTo(4 * gap.toNanos());
        assertThat(server.endNanos()).isGreaterThanOrEqualTo(attempt.endNanos());
        assertThat(UPSTREAM.lastRequest(CHAT).header("traceparent"))
                .satisfies(sampledChildOf(client.traceId(), attempt.spanId()));
    }

    @Test
    void aCallThatFailsEverywhereMarksItsSpansAsErrors() {
        UPSTREAM.on("POST", CHAT, Behavior.json(500, OpenAiWire.error("Internal failure", "server_error", null, null)));
        var client = ClientTrace.random();

        var response = GatewayFixture.openAi(APP)
                .withOptions(options -> options.putHeader("traceparent", client.traceparent()));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> response.chat()
                        .completions()
                        .create(ChatCompletionCreateParams.builder()
                                .model("fake/gpt-4o")
                                .addUserMessage("hi")
                                .build()))
                .isInstanceOf(com.openai.errors.OpenAIServiceException.class);

        Received server = serverSpan(client);
        assertThat(server.span().getStatus().getCode()).isEqualTo(Status.StatusCode.STATUS_CODE_ERROR);
        assertThat((Long) server.attribute("http.response.status_code")).isGreaterThanOrEqualTo(500L);
        assertThat(server.attribute("error.type")).isEqualTo("upstream_5xx");
        assertThat(attemptSpans(server, 2))
                .allSatisfy(
                        attempt -> assertThat(attempt.attribute("error.type")).isEqualTo("upstream_5xx"));
    }

    @Test
    void aRequestWithoutTraceparentStartsATraceOfItsOwn() {
        UPSTREAM.on("POST", CHAT, Behavior.json(200, OpenAiWire.chatCompletion("gpt-4o", "hi")));

        GatewayFixture.openAi(APP)
                .chat()
                .completions()
                .create(ChatCompletionCreateParams.builder()
                        .model("fake/gpt-4o")
                        .addUserMessage("hi")
                        .build());

        Received server = RECEIVER.await(span -> span.kind() == SpanKind.SPAN_KIND_SERVER, 1, WAIT)
                .get(0);
        assertThat(server.parentSpanId()).isEmpty();
        Received attempt = attemptSpans(server, 1).get(0);
        assertThat(UPSTREAM.lastRequest(CHAT).header("traceparent"))
                .satisfies(sampledChildOf(server.traceId(), attempt.spanId()));
    }

    /**
     * A W3C {@code traceparent} of version 00 naming {@code traceId} and {@code parentId}, sampled.
     * The SDK may also set the level-2 "random trace id" flag (02), so only the sampled bit is checked.
     */
    private static org.assertj.core.api.ThrowingConsumer<String> sampledChildOf(String traceId, String parentId) {
        return traceparent -> {
            assertThat(traceparent).startsWith("00-" + traceId + "-" + parentId + "-");
            int flags = Integer.parseInt(traceparent.substring(traceparent.lastIndexOf('-') + 1), 16);
            assertThat(flags & 1).as("sampled flag of %s", traceparent).isEqualTo(1);
        };
    }

    private static Received serverSpan(ClientTrace client) {
        List<Received> servers = RECEIVER.await(
                span -> span.kind() == SpanKind.SPAN_KIND_SERVER
                        && span.traceId().equals(client.traceId()),
                1,
                WAIT);
        assertThat(servers).hasSize(1);
        return servers.get(0);
    }

    /** The request span's CLIENT children, in the order they started. */
    private static List<Received> attemptSpans(Received server, int count) {
        List<Received> attempts = RECEIVER.await(
                span -> span.kind() == SpanKind.SPAN_KIND_CLIENT
                        && span.traceId().equals(server.traceId())
                        && span.parentSpanId().equals(server.spanId()),
                count,
                WAIT);
        assertThat(attempts).hasSize(count);
        return attempts.stream()
                .sorted(Comparator.comparingLong(Received::startNanos))
                .toList();
    }

    /** The client's own trace: a random trace id and the id of the client's span. */
    record ClientTrace(String traceId, String spanId) {

        static ClientTrace random() {
            var random = ThreadLocalRandom.current();
            return new ClientTrace(
                    String.format("%016x%016x", random.nextLong() | 1, random.nextLong()),
                    String.format("%016x", random.nextLong() | 1));
        }

        String traceparent() {
            return "00-" + traceId + "-" + spanId + "-01";
        }
    }
}
