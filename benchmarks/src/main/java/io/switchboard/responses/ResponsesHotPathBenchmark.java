package io.switchboard.responses;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dropwizard.jackson.Jackson;
import io.switchboard.api.ChatCompletionResponse;
import io.switchboard.provider.ProviderException;
import io.switchboard.resources.ApiRequestReader;
import io.switchboard.resources.Fixtures;
import io.switchboard.resources.SseFraming;
import io.switchboard.routing.RouteStreamObserver;
import io.switchboard.routing.Target;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The Responses ingress's own CPU work on a request translated to chat completions, the
 * counterpart of {@code HotPathBenchmark}'s chat figures and {@code MessagesHotPathBenchmark}'s
 * (same prompt, same upstream chat answer and 8-chunk stream): the request read, checked and
 * translated to the chat body sent upstream;
 * the chat answer turned into a Responses object and written; one chat stream turned into the
 * Responses API's named events, numbered and framed as the client gets them.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar ResponsesHotPath} (build with
 * {@code mvn -B -q -Pbench -DskipTests package}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgs = {"-Xms256m", "-Xmx256m"})
@State(Scope.Benchmark)
public class ResponsesHotPathBenchmark {

    /** HotPathBenchmark's small chat request, as a Responses request (the system message as instructions). */
    static final String REQUEST = "{\"model\":\"fast/bench-model\",\"max_output_tokens\":64,"
            + "\"instructions\":\"You are a concise assistant. Answer in one sentence.\",\"input\":["
            + "{\"role\":\"user\",\"content\":\"What does an LLM gateway add to each request, and how would you"
            + " measure it?\"}],\"temperature\":0.2,\"store\":false,\"metadata\":{\"user_id\":\"bench\"}}";

    private static final String MODEL = "fast/bench-model";

    /** What the stream turns into: response.created, in_progress, output_item.added, content_part.added, six deltas, and the four closing events. */
    private static final int EVENTS = 14;

    private ObjectMapper mapper;
    private ApiRequestReader reader;
    private ResponseEventFraming framing;
    private ResponsesRequest parsedRequest;
    private byte[] requestBody;
    private byte[] responseBody;
    private byte[] stream;

    @Setup
    public void setUp() {
        mapper = Jackson.newObjectMapper();
        reader = new ApiRequestReader(10L * 1024 * 1024);
        framing = new ResponseEventFraming(mapper);
        requestBody = REQUEST.getBytes(StandardCharsets.UTF_8);
        parsedRequest = ResponsesRequest.of(reader.parse(requestBody, ObjectNode.class));
        responseBody = Fixtures.RESPONSE.getBytes(StandardCharsets.UTF_8);
        stream = Fixtures.STREAM.getBytes(StandardCharsets.UTF_8);
        var types = new ArrayList<String>();
        relay(frame -> types.add(frame.name()), finished -> {});
        if (types.size() != EVENTS || !"response.completed".equals(types.get(EVENTS - 1))) {
            throw new IllegalStateException("The stream did not translate as measured: " + types);
        }
    }

    /**
     * Client body to upstream chat body: read, check, give input items ids, translate, withModel,
     * Jackson write.
     */
    @Benchmark
    public byte[] translatedRequestPath() throws IOException {
        byte[] bytes = reader.readBytes(new ByteArrayInputStream(requestBody));
        var request = ResponsesRequest.of(reader.parse(bytes, ObjectNode.class));
        var conversation = new ArrayList<>(StoredResponses.withIds(request.input()));
        var chat = ChatTranslation.of(mapper, request, conversation, false);
        return mapper.writeValueAsBytes(chat.request().withModel("bench-model"));
    }

    /** Upstream chat body to the client's Responses object. */
    @Benchmark
    public byte[] translatedResponsePath() throws IOException {
        ChatCompletionResponse parsed = mapper.readValue(responseBody, ChatCompletionResponse.class);
        var envelope =
                ResponseObjects.envelope(ResponseIds.next("resp_"), 1_732_600_000L, parsedRequest, MODEL, "completed");
        return mapper.writeValueAsBytes(
                ResponseObjects.fromChat(envelope, parsed).put("model", MODEL));
    }

    /** One 8-chunk chat stream turned into the Responses API's events, numbered and framed. */
    @Benchmark
    public void translatedStream(Blackhole sink) {
        relay(sink::consume, sink::consume);
    }

    private void relay(Consumer<SseFraming.Frame> frames, Consumer<ObjectNode> finished) {
        String id = ResponseIds.next("resp_");
        var client = new RouteStreamObserver<ObjectNode>() {
            @Override
            public void onCommit(Target target, long upstreamNanos, int attempts) {}

            @Override
            public void onNext(ObjectNode event) {
                frames.accept(framing.frame(event));
            }

            @Override
            public void onComplete() {}

            @Override
            public void onError(ProviderException error) {
                throw error;
            }
        };
        var events = new ChatStreamEvents(
                new ResponseStreamSink(client, MODEL, finished),
                status -> ResponseObjects.envelope(id, 1_732_600_000L, parsedRequest, MODEL, status));
        Fixtures.relayChatStream(mapper, stream, events);
    }
}
