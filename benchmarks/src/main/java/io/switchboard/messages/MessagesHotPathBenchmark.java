package io.switchboard.messages;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dropwizard.jackson.Jackson;
import io.switchboard.api.ChatCompletionResponse;
import io.switchboard.provider.NativeMessages.Event;
import io.switchboard.provider.ProviderException;
import io.switchboard.provider.StreamObserver;
import io.switchboard.resources.ApiRequestReader;
import io.switchboard.resources.Fixtures;
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
import java.util.concurrent.TimeUnit;

/**
 * The Messages ingress's own CPU work on a translated request, the counterpart of
 * {@code HotPathBenchmark}'s chat figures (same content, same upstream answers): the request
 * read, checked and translated to the chat body sent upstream; the chat answer translated back
 * and written; one 8-chunk chat stream turned into Anthropic's events. And the native
 * pass-through's one rewrite, {@code model} in the bytes.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar "HotPath"} (with chat's and the Responses API's; build with
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
public class MessagesHotPathBenchmark {

    /** HotPathBenchmark's small chat request, as a Messages request. */
    static final String REQUEST = "{\"model\":\"fast/bench-model\",\"max_tokens\":64,"
            + "\"system\":\"You are a concise assistant. Answer in one sentence.\",\"messages\":["
            + "{\"role\":\"user\",\"content\":\"What does an LLM gateway add to each request, and how would you"
            + " measure it?\"}],\"temperature\":0.2,\"metadata\":{\"user_id\":\"bench\"}}";

    private ObjectMapper mapper;
    private ApiRequestReader reader;
    private byte[] requestBody;
    private byte[] responseBody;
    private byte[] stream;

    @Setup
    public void setUp() {
        mapper = Jackson.newObjectMapper();
        reader = new ApiRequestReader(10L * 1024 * 1024);
        requestBody = REQUEST.getBytes(StandardCharsets.UTF_8);
        responseBody = Fixtures.RESPONSE.getBytes(StandardCharsets.UTF_8);
        stream = Fixtures.STREAM.getBytes(StandardCharsets.UTF_8);
    }

    /** Client body to upstream chat body: read, check, translate, withModel, Jackson write. */
    @Benchmark
    public byte[] translatedRequestPath() throws IOException {
        byte[] bytes = reader.readBytes(new ByteArrayInputStream(requestBody));
        ObjectNode tree = reader.parse(bytes, ObjectNode.class);
        MessagesRequests.check(tree, false);
        var translation = MessagesRequests.toChat(tree, true);
        return mapper.writeValueAsBytes(translation.chat().withModel("bench-model"));
    }

    /** Upstream chat body to the client's Messages body. */
    @Benchmark
    public byte[] translatedResponsePath() throws IOException {
        ChatCompletionResponse parsed = mapper.readValue(responseBody, ChatCompletionResponse.class);
        return mapper.writeValueAsBytes(MessagesReplies.message(parsed, "fast/bench-model"));
    }

    /** One 8-chunk chat stream turned into Anthropic's events (11 of them). */
    @Benchmark
    public void translatedStream(Blackhole sink) {
        var events = new ChatToMessagesStream("fast-sse/bench-model", new StreamObserver<Event>() {
            @Override
            public void onNext(Event item) {
                sink.consume(item.data());
            }

            @Override
            public void onComplete() {}

            @Override
            public void onError(ProviderException error) {
                throw error;
            }
        });
        Fixtures.relayChatStream(mapper, stream, events);
    }

    /** The native pass-through's work on a request: read, check, and rewrite the model in the bytes. */
    @Benchmark
    public byte[] nativeRequestPath() {
        byte[] bytes = reader.readBytes(new ByteArrayInputStream(requestBody));
        ObjectNode tree = reader.parse(bytes, ObjectNode.class);
        MessagesRequests.check(tree, false);
        return ModelField.replace(bytes, "bench-model");
    }
}
