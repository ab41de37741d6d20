package io.switchboard.resources;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.jackson.Jackson;
import io.switchboard.api.ChatCompletionChunk;
import io.switchboard.api.ChatCompletionRequest;
import io.switchboard.api.ChatCompletionResponse;
import io.switchboard.provider.openai.OpenAiChunks;
import io.switchboard.provider.sse.SseEvent;
import io.switchboard.provider.sse.SseParser;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's own CPU work on one request, without HTTP: what a chat completion costs in
 * parsing, checking, rewriting and serialising on the way in, on the way back, and per streamed
 * chunk. Lives in {@code io.switchboard.resources} to reach {@link RequestChecks}.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar HotPath} (build with
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
public class HotPathBenchmark {

    /** small: the benchmark's two-message request; history: a 20-message conversation (~9 KB). */
    @Param({"small", "history"})
    public String request;

    private ObjectMapper mapper;
    private ApiRequestReader reader;
    private byte[] requestBody;
    private byte[] responseBody;
    private byte[] stream;

    @Setup
    public void setUp() {
        // The mapper Dropwizard gives the application (environment.getObjectMapper()).
        mapper = Jackson.newObjectMapper();
        reader = new ApiRequestReader(10L * 1024 * 1024);
        requestBody = utf8("small".equals(request) ? Fixtures.SMALL_REQUEST : Fixtures.history(20));
        responseBody = utf8(Fixtures.RESPONSE);
        stream = utf8(Fixtures.STREAM);
    }

    /** Client body to upstream body: ApiRequestReader, RequestChecks, withModel, Jackson write. */
    @Benchmark
    public byte[] requestPath() throws IOException {
        ChatCompletionRequest parsed = reader.read(new ByteArrayInputStream(requestBody), ChatCompletionRequest.class);
        RequestChecks.chat(parsed);
        return mapper.writeValueAsBytes(parsed.withModel("bench-model"));
    }

    /** Upstream body to client body: Jackson read, withModel (the client's model id), Jackson write. */
    @Benchmark
    public byte[] responsePath() throws IOException {
        ChatCompletionResponse parsed = mapper.readValue(responseBody, ChatCompletionResponse.class);
        return mapper.writeValueAsBytes(parsed.withModel("fast/bench-model"));
    }

    /**
     * One 8-chunk stream relayed: SseParser over the upstream bytes, each event decoded by
     * OpenAiChunks (what OpenAiCompatibleProvider's relay calls), withModel, and serialised as
     * SseRelay does. Divide by 8 for one chunk.
     */
    @Benchmark
    public void sseRelay(Blackhole sink) {
        var parser = new SseParser(event -> sink.consume(relay(event)), 16 * 1024 * 1024);
        parser.feed(ByteBuffer.wrap(stream));
        parser.end();
    }

    private String relay(SseEvent event) {
        if (event.isDone()) {
            return null;
        }
        ChatCompletionChunk chunk = OpenAiChunks.read(
                mapper, event.data(), ChatCompletionChunk.class, parsed -> parsed.choices() != null, "fast-sse");
        try {
            return mapper.writeValueAsString(chunk.withModel("fast-sse/bench-model"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
