package io.switchboard.provider.builtin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.jackson.Jackson;
import io.switchboard.api.ChatChoice;
import io.switchboard.api.ChatCompletionChunk;
import io.switchboard.api.ChatCompletionRequest;
import io.switchboard.api.ChatCompletionResponse;
import io.switchboard.api.ChunkChoice;
import io.switchboard.api.Embedding;
import io.switchboard.api.EmbeddingRequest;
import io.switchboard.api.EmbeddingResponse;
import io.switchboard.api.ImageData;
import io.switchboard.api.ImageRequest;
import io.switchboard.api.ImageResponse;
import io.switchboard.api.ToolCall;
import io.switchboard.provider.Capability;
import io.switchboard.provider.ModelInfo;
import io.switchboard.provider.ProviderException;
import io.switchboard.provider.StreamHandle;
import io.switchboard.provider.StreamObserver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import javax.imageio.ImageIO;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class BuiltinProviderTest {

    private static final ObjectMapper MAPPER = Jackson.newObjectMapper();
    private static final int DIMENSIONS = 16;
    private static final String TOOLS = "\"tools\":["
            + "{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":{\"type\":\"object\"}}},"
            + "{\"type\":\"function\",\"function\":{\"name\":\"get_time\",\"parameters\":{\"type\":\"object\"}}}]";

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final ExecutorService executor = Executors.newFixedThreadPool(2);

    @AfterEach
    void stopThreads() throws InterruptedException {
        scheduler.shutdownNow();
        executor.shutdownNow();
        assertThat(scheduler.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        assertThat(executor.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }

    private BuiltinProvider provider(Duration streamDelay) {
        return new BuiltinProvider("builtin", streamDelay, DIMENSIONS, scheduler, executor);
    }

    @Test
    void describesItself() {
        var provider = provider(Duration.ZERO);

        assertThat(provider.name()).isEqualTo("builtin");
        assertThat(provider.type()).isEqualTo("builtin");
        assertThat(provider.baseUrl()).isNull();
        assertThat(provider.capabilities())
                .contains(Capability.CHAT, Capability.EMBEDDINGS, Capability.IMAGES, Capability.MODEL_LIST);
        List<ModelInfo> models = provider.listModels().join();
        assertThat(models).extracting(ModelInfo::id).containsExactly("echo", "embedding", "image");
        assertThat(models.get(0).supports(Capability.CHAT, Set.of())).isTrue();
        assertThat(models.get(1).supports(Capability.CHAT, provider.capabilities()))
                .isFalse();
        assertThat(models.get(2).supports(Capability.IMAGES, Set.of())).isTrue();
    }

    @Test
    void echoesTheLastUserMessageAndCountsWords() {
        var request = chat("{\"model\":\"echo\",\"messages\":["
                + "{\"role\":\"system\",\"content\":\"Be terse.\"},"
                + "{\"role\":\"user\",\"content\":\"First question\"},"
                + "{\"role\":\"assistant\",\"content\":\"First answer here\"},"
                + "{\"role\":\"user\",\"content\":\"  Say   this\\nback please \"}]}");

        ChatCompletionResponse response = provider(Duration.ZERO).chat(request).join();

        assertThat(response.object()).isEqualTo("chat.completion");
        assertThat(response.model()).isEqualTo("echo");
        assertThat(response.id()).startsWith("chatcmpl-builtin-");
        assertThat(response.choices()).hasSize(1);
        ChatChoice choice = response.choices().get(0);
        assertThat(choice.index()).isZero();
        assertThat(choice.message().role()).isEqualTo("assistant");
        assertThat(choice.message().content()).isEqualTo("Say this back please");
        assertThat(choice.message().toolCalls()).isNull();
        assertThat(choice.finishReason()).isEqualTo("stop");
        // prompt: 2 + 2 + 3 + 4 words; completion: 4 words
        assertThat(response.usage().promptTokens()).isEqualTo(11);
        assertThat(response.usage().completionTokens()).isEqualTo(4);
        assertThat(response.usage().totalTokens()).isEqualTo(15);
    }

    @Test
    void echoesTheTextPartsOfContent() {
        var request = chat("{\"model\":\"echo\",\"messages\":[{\"role\":\"user\",\"content\":["
                + "{\"type\":\"text\",\"text\":\"Describe\"},"
                + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,AAAA\"}},"
                + "{\"type\":\"text\",\"text\":\"this picture\"}]}]}");

        ChatCompletionResponse response = provider(Duration.ZERO).chat(request).join();

        assertThat(response.choices().get(0).message().content()).isEqualTo("Describe this picture");
        assertThat(response.usage().promptTokens()).isEqualTo(3);
        assertThat(response.usage().completionTokens()).isEqualTo(3);
    }

    @Test
    void withoutAUserMessageItSaysSo() {
        var request = chat("{\"model\":\"echo\",\"messages\":[{\"role\":\"system\",\"content\":\"Hello\"}]}");

        String content = provider(Duration.ZERO)
                .chat(request)
                .join()
                .choices()
                .get(0)
                .message()
                .content();

        assertThat(content).isEqualTo(BuiltinText.NO_INPUT);
    }

    @ParameterizedTest(name = "{0} -> \"{1}\" ({2})")
    @CsvSource({
        "'\"max_tokens\":2', one two, length, 2",
        "'\"max_tokens\":5', one two three four five, stop, 5",
        "'\"max_tokens\":50', one two three four five, stop, 5",
        "'\"max_completion_tokens\":1', one, length, 1",
        "'\"max_tokens\":4,\"max_completion_tokens\":3', one two three, length, 3",
    })
    void tokenLimitTruncatesWithFinishReasonLength(String limit, String content, String finishReason, long tokens) {
        var request =
                chat("{\"model\":\"echo\",\"messages\":[{\"role\":\"user\",\"content\":\"one two three four five\"}],"
                        + limit + "}");

        ChatCompletionResponse response = provider(Duration.ZERO).chat(request).join();

        assertThat(response.choices().get(0).message().content()).isEqualTo(content);
        assertThat(response.choices().get(0).finishReason()).isEqualTo(finishReason);
        assertThat(response.usage().completionTokens()).isEqualTo(tokens);
    }

    @Test
    void nChoicesEachEchoAndCountTowardsUsage() {
        var request = chat("{\"model\":\"echo\",\"n\":2,\"messages\":[{\"role\":\"user\",\"content\":\"hi there\"}]}");

        ChatCompletionResponse response = provider(Duration.ZERO).chat(request).join();

        assertThat(response.choices()).extracting(ChatChoice::index).containsExactly(0, 1);
        assertThat(response.choices()).extracting(c -> c.message().content()).containsExactly("hi there", "hi there");
        assertThat(response.usage().promptTokens()).isEqualTo(2);
        assertThat(response.usage().completionTokens()).isEqualTo(4);
    }

    @ParameterizedTest(name = "tool_choice {0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "\"required\" | get_weather",
                "{\"type\":\"function\",\"function\":{\"name\":\"get_time\"}} | get_time",
            })
    void forcedToolChoiceCallsTheTool(String toolChoice, String tool) throws IOException {
        var request = chat("{\"model\":\"echo\",\"n\":2,\"messages\":[{\"role\":\"user\",\"content\":\"weather?\"}],"
                + TOOLS + ",\"tool_choice\":" + toolChoice + "}");

        ChatCompletionResponse response = provider(Duration.ZERO).chat(request).join();

        assertThat(response.choices()).hasSize(2);
        for (ChatChoice choice : response.choices()) {
            assertThat(choice.finishReason()).isEqualTo("tool_calls");
            assertThat(choice.message().content()).isNull();
            assertThat(choice.message().toolCalls()).hasSize(1);
            ToolCall call = choice.message().toolCalls().get(0);
            assertThat(call.id()).startsWith("call_");
            assertThat(call.type()).isEqualTo("function");
            assertThat(call.function().name()).isEqualTo(tool);
            assertThat(call.function().arguments()).isEqualTo("{}");
        }
        assertThat(response.choices().get(0).message().toolCalls().get(0).id())
                .isNotEqualTo(
                        response.choices().get(1).message().toolCalls().get(0).id());
        // On the wire an assistant tool call carries "content": null, as OpenAI's does.
        JsonNode json = MAPPER.readTree(MAPPER.writeValueAsBytes(response));
        assertThat(json.at("/choices/0/message").has("content")).isTrue();
        assertThat(json.at("/choices/0/message/content").isNull()).isTrue();
        assertThat(json.at("/choices/0/message/tool_calls/0/function/name").asText())
                .isEqualTo(tool);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"auto\"", "\"none\""})
    void unforcedToolChoiceStillEchoes(String toolChoice) {
        var request = chat("{\"model\":\"echo\",\"messages\":[{\"role\":\"user\",\"content\":\"weather?\"}]," + TOOLS
                + ",\"tool_choice\":" + toolChoice + "}");

        ChatChoice choice =
                provider(Duration.ZERO).chat(request).join().choices().get(0);

        assertThat(choice.message().content()).isEqualTo("weather?");
        assertThat(choice.message().toolCalls()).isNull();
        assertThat(choice.finishReason()).isEqualTo("stop");
    }

    @Test
    void streamsWordByWordWithUsageWhenAskedFor() throws Exception {
        var request = chat("{\"model\":\"echo\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                + "\"messages\":[{\"role\":\"system\",\"content\":\"Be terse.\"},"
                + "{\"role\":\"user\",\"content\":\"one two three\"}]}");

        var observer = new Collector();
        provider(Duration.ZERO).streamChat(request, observer);
        observer.awaitEnd();

        List<ChatCompletionChunk> chunks = observer.items;
        assertThat(observer.completions.get()).isEqualTo(1);
        assertThat(observer.error).isNull();
        assertThat(chunks).hasSize(6);
        assertThat(chunks)
                .extracting(ChatCompletionChunk::id)
                .containsOnly(chunks.get(0).id());
        assertThat(chunks).extracting(ChatCompletionChunk::object).containsOnly("chat.completion.chunk");
        assertThat(chunks).extracting(ChatCompletionChunk::model).containsOnly("echo");
        assertThat(chunks)
                .extracting(ChatCompletionChunk::created)
                .containsOnly(chunks.get(0).created());

        List<JsonNode> json = toJson(chunks);
        assertThat(json.get(0).at("/choices/0/delta/role").asText()).isEqualTo("assistant");
        assertThat(json.get(0).at("/choices/0/delta/content").isTextual()).isTrue();
        assertThat(json.get(0).at("/choices/0/delta/content").asText()).isEmpty();
        assertThat(json.subList(1, 4))
                .extracting(j -> j.at("/choices/0/delta/content").asText())
                .containsExactly("one", " two", " three");
        assertThat(json.subList(1, 4))
                .allSatisfy(
                        j -> assertThat(j.at("/choices/0/delta").has("role")).isFalse());
        assertThat(json.subList(0, 4)).allSatisfy(j -> {
            assertThat(j.at("/choices/0").has("finish_reason")).isTrue();
            assertThat(j.at("/choices/0/finish_reason").isNull()).isTrue();
        });
        assertThat(json.get(4).at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        assertThat(json.get(4).at("/choices/0/delta").isEmpty()).isTrue();
        // usage: null on every chunk but the last, which has no choices and the counts.
        assertThat(json.subList(0, 5)).allSatisfy(j -> {
            assertThat(j.has("usage")).isTrue();
            assertThat(j.get("usage").isNull()).isTrue();
        });
        JsonNode last = json.get(5);
        assertThat(last.get("choices").isArray()).isTrue();
        assertThat(last.get("choices").isEmpty()).isTrue();
        assertThat(last.at("/usage/prompt_tokens").asLong()).isEqualTo(5);
        assertThat(last.at("/usage/completion_tokens").asLong()).isEqualTo(3);
        assertThat(last.at("/usage/total_tokens").asLong()).isEqualTo(8);
    }

    @Test
    void streamsWithoutUsageFieldWhenNotAskedFor() throws Exception {
        var request =
                chat("{\"model\":\"echo\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"a b\"}]}");

        var observer = new Collector();
        provider(Duration.ZERO).streamChat(request, observer);
        observer.awaitEnd();

        List<JsonNode> json = toJson(observer.items);
        assertThat(json).hasSize(4);
        assertThat(json)
                .allSatisfy(j -> assertThat(j.has("usage")).as("usage in %s", j).isFalse());
        assertThat(json).allSatisfy(j -> assertThat(j.get("choices").size()).isEqualTo(1));
        assertThat(json.get(3).at("/choices/0/finish_reason").asText()).isEqualTo("stop");
    }

    @Test
    void streamHonoursTheTokenLimitAndN() throws Exception {
        var request = chat("{\"model\":\"echo\",\"stream\":true,\"n\":2,\"max_tokens\":2,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"a b c\"}]}");

        var observer = new Collector();
        provider(Duration.ZERO).streamChat(request, observer);
        observer.awaitEnd();

        for (int index = 0; index < 2; index++) {
            int i = index;
            List<ChunkChoice> mine = observer.items.stream()
                    .flatMap(c -> c.choices().stream())
                    .filter(c -> c.index() == i)
                    .toList();
            assertThat(mine).extracting(c -> c.delta().contentText()).containsExactly("", "a", " b", "");
            assertThat(mine.get(0).delta().role()).isEqualTo("assistant");
            assertThat(mine).extracting(ChunkChoice::finishReason).containsExactly(null, null, null, "length");
        }
    }

    @Test
    void streamsAForcedToolCall() throws Exception {
        var request = chat("{\"model\":\"echo\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
                + TOOLS + ",\"tool_choice\":\"required\"}");

        var observer = new Collector();
        provider(Duration.ZERO).streamChat(request, observer);
        observer.awaitEnd();

        List<JsonNode> json = toJson(observer.items);
        assertThat(json).hasSize(3);
        JsonNode opening = json.get(0).at("/choices/0/delta");
        assertThat(opening.get("role").asText()).isEqualTo("assistant");
        assertThat(opening.get("content").isNull()).isTrue();
        assertThat(opening.at("/tool_calls/0/index").asInt()).isZero();
        assertThat(opening.at("/tool_calls/0/id").asText()).startsWith("call_");
        assertThat(opening.at("/tool_calls/0/type").asText()).isEqualTo("function");
        assertThat(opening.at("/tool_calls/0/function/name").asText()).isEqualTo("get_weather");
        assertThat(opening.at("/tool_calls/0/function/arguments").asText()).isEmpty();
        JsonNode arguments = json.get(1).at("/choices/0/delta/tool_calls/0");
        assertThat(arguments.has("id")).isFalse();
        assertThat(arguments.at("/function/arguments").asText()).isEqualTo("{}");
        assertThat(json.get(2).at("/choices/0/finish_reason").asText()).isEqualTo("tool_calls");
    }

    @Test
    void streamDelaySpacesTheChunks() throws Exception {
        Duration delay = Duration.ofMillis(30);
        var request =
                chat("{\"model\":\"echo\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"a b c d\"}]}");

        var observer = new Collector();
        long started = System.nanoTime();
        provider(delay).streamChat(request, observer);
        observer.awaitEnd();

        assertThat(observer.items).hasSize(6);
        List<Long> times = observer.times;
        for (int i = 1; i < times.size(); i++) {
            assertThat(times.get(i) - times.get(i - 1))
                    .as("gap before chunk %d", i)
                    .isGreaterThanOrEqualTo(delay.toNanos());
        }
        assertThat(times.get(times.size() - 1) - started).isGreaterThanOrEqualTo(5 * delay.toNanos());
        assertThat(observer.completions.get()).isEqualTo(1);
    }

    @Test
    void zeroDelayStreamsEverythingAtOnce() throws Exception {
        var request = chat("{\"model\":\"echo\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\""
                + "w ".repeat(200) + "\"}]}");

        var observer = new Collector();
        long started = System.nanoTime();
        provider(Duration.ZERO).streamChat(request, observer);
        observer.awaitEnd();

        assertThat(observer.items).hasSize(202);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void cancelStopsFurtherChunks() throws Exception {
        var request = chat("{\"model\":\"echo\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":"
                + "\"one two three four five six\"}]}");
        var twoSeen = new CountDownLatch(2);
        var observer = new Collector() {
            @Override
            public void onNext(ChatCompletionChunk item) {
                super.onNext(item);
                twoSeen.countDown();
            }
        };

        StreamHandle handle = provider(Duration.ofMillis(200)).streamChat(request, observer);
        assertThat(twoSeen.await(5, TimeUnit.SECONDS)).isTrue();
        handle.cancel();
        handle.cancel(); // idempotent
        Thread.sleep(500);

        assertThat(observer.items).hasSize(2);
        assertThat(observer.completions.get()).isZero();
        assertThat(observer.error).isNull();
    }

    @Test
    void cancelFromInsideOnNextStopsAtOnce() throws Exception {
        var request =
                chat("{\"model\":\"echo\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"a b c d\"}]}");
        var handle = new CompletableFuture<StreamHandle>();
        var observer = new Collector() {
            @Override
            public void onNext(ChatCompletionChunk item) {
                super.onNext(item);
                if (items.size() == 3) {
                    handle.join().cancel();
                }
            }
        };

        handle.complete(provider(Duration.ofMillis(30)).streamChat(request, observer));
        Thread.sleep(300);

        assertThat(observer.items).hasSize(3);
        assertThat(observer.completions.get()).isZero();
    }

    @Test
    void aFailingObserverStopsTheStream() throws Exception {
        var request =
                chat("{\"model\":\"echo\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"a b c d\"}]}");
        var observer = new Collector() {
            @Override
            public void onNext(ChatCompletionChunk item) {
                super.onNext(item);
                if (items.size() == 2) {
                    throw new IllegalStateException("client went away");
                }
            }
        };

        provider(Duration.ZERO).streamChat(request, observer);
        Thread.sleep(200);

        assertThat(observer.items).hasSize(2);
        assertThat(observer.completions.get()).isZero();
    }

    @Test
    void embeddingsAreDeterministicUnitVectors() {
        var provider = provider(Duration.ZERO);
        var request = embedding("{\"model\":\"embedding\",\"input\":[\"the cat sat\",\"a dog\",\"the cat sat\"]}");

        EmbeddingResponse response = provider.embeddings(request).join();
        EmbeddingResponse again = provider.embeddings(request).join();

        assertThat(response.object()).isEqualTo("list");
        assertThat(response.model()).isEqualTo("embedding");
        assertThat(response.data()).extracting(Embedding::index).containsExactly(0, 1, 2);
        assertThat(response.data()).extracting(Embedding::object).containsOnly("embedding");
        float[] cat = floats(response.data().get(0).embedding());
        float[] dog = floats(response.data().get(1).embedding());
        assertThat(cat).hasSize(DIMENSIONS);
        assertThat(floats(response.data().get(2).embedding())).containsExactly(cat);
        assertThat(floats(again.data().get(0).embedding())).containsExactly(cat);
        assertThat(dog).isNotEqualTo(cat);
        assertThat(norm(cat)).isCloseTo(1.0, within(1e-5));
        assertThat(norm(dog)).isCloseTo(1.0, within(1e-5));
        assertThat(response.usage().promptTokens()).isEqualTo(8);
        assertThat(response.usage().totalTokens()).isEqualTo(8);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 8, 1536})
    void embeddingDimensionsAreHonoured(int dimensions) {
        var request = embedding("{\"model\":\"embedding\",\"input\":\"hello\",\"dimensions\":" + dimensions + "}");

        float[] vector = floats(
                provider(Duration.ZERO).embeddings(request).join().data().get(0).embedding());

        assertThat(vector).hasSize(dimensions);
        assertThat(norm(vector)).isCloseTo(1.0, within(1e-5));
    }

    @Test
    void base64EmbeddingIsTheSameFloatsLittleEndian() {
        var provider = provider(Duration.ZERO);
        float[] plain = floats(provider.embeddings(embedding("{\"model\":\"embedding\",\"input\":\"hello\"}"))
                .join()
                .data()
                .get(0)
                .embedding());

        JsonNode encoded = provider.embeddings(
                        embedding("{\"model\":\"embedding\",\"input\":\"hello\",\"encoding_format\":\"base64\"}"))
                .join()
                .data()
                .get(0)
                .embedding();

        assertThat(encoded.isTextual()).isTrue();
        byte[] bytes = Base64.getDecoder().decode(encoded.textValue());
        assertThat(bytes).hasSize(DIMENSIONS * Float.BYTES);
        var buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        float[] decoded = new float[DIMENSIONS];
        for (int i = 0; i < DIMENSIONS; i++) {
            decoded[i] = buffer.getFloat();
        }
        assertThat(decoded).containsExactly(plain);
    }

    @Test
    void tokenArrayInputIsOneEmbedding() {
        EmbeddingResponse response = provider(Duration.ZERO)
                .embeddings(embedding("{\"model\":\"embedding\",\"input\":[1,2,3]}"))
                .join();

        assertThat(response.data()).hasSize(1);
        assertThat(floats(response.data().get(0).embedding())).hasSize(DIMENSIONS);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"64x32, 64, 32", "16X48, 16, 48", "' 20 x 10 ', 20, 10"})
    void imageIsAPngOfTheRequestedSize(String size, int width, int height) {
        var request = image("{\"model\":\"image\",\"prompt\":\"a red fox\",\"size\":\"" + size.strip()
                + "\",\"response_format\":\"b64_json\"}");

        ImageResponse response = provider(Duration.ZERO).images(request).join();

        assertThat(response.data()).hasSize(1);
        ImageData data = response.data().get(0);
        assertThat(data.url()).isNull();
        assertThat(data.revisedPrompt()).isEqualTo("a red fox");
        BufferedImage png = decodePng(Base64.getDecoder().decode(data.b64Json()));
        assertThat(png.getWidth()).isEqualTo(width);
        assertThat(png.getHeight()).isEqualTo(height);
    }

    @Test
    void imageUrlIsADataUrlByDefault() {
        var request = image("{\"model\":\"image\",\"prompt\":\"a red fox\",\"size\":\"40x30\",\"n\":2}");

        ImageResponse response = provider(Duration.ZERO).images(request).join();

        assertThat(response.data()).hasSize(2);
        for (ImageData data : response.data()) {
            assertThat(data.b64Json()).isNull();
            assertThat(data.url()).startsWith("data:image/png;base64,");
            BufferedImage png =
                    decodePng(Base64.getDecoder().decode(data.url().substring("data:image/png;base64,".length())));
            assertThat(png.getWidth()).isEqualTo(40);
            assertThat(png.getHeight()).isEqualTo(30);
        }
        assertThat(response.data().get(0).url())
                .isNotEqualTo(response.data().get(1).url());
        ImageResponse again = provider(Duration.ZERO).images(request).join();
        assertThat(again.data())
                .extracting(ImageData::url)
                .containsExactlyElementsOf(
                        response.data().stream().map(ImageData::url).toList());
    }

    @Test
    void defaultImageSizeIs1024Square() {
        var request =
                image("{\"model\":\"image\",\"prompt\":\"x\",\"size\":\"auto\",\"response_format\":\"b64_json\"}");

        BufferedImage png = decodePng(Base64.getDecoder()
                .decode(provider(Duration.ZERO)
                        .images(request)
                        .join()
                        .data()
                        .get(0)
                        .b64Json()));

        assertThat(png.getWidth()).isEqualTo(1024);
        assertThat(png.getHeight()).isEqualTo(1024);
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(
            strings = {"0x10", "10x0", "-5x10", "abc", "10", "x10", "10x", "4096x4096", "2049x10", "10x10x10", "1e2x10"
            })
    void invalidImageSizeIsAProviderException(String size) {
        var request = image("{\"model\":\"image\",\"prompt\":\"x\",\"size\":\"" + size + "\"}");

        Throwable failure = failureOf(() -> provider(Duration.ZERO).images(request));

        assertThat(failure).isInstanceOf(ProviderException.class);
        var error = (ProviderException) failure;
        assertThat(error.kind()).isEqualTo(ProviderException.Kind.UPSTREAM_4XX);
        assertThat(error.upstreamStatus()).isEqualTo(400);
        assertThat(error.upstreamError().param()).isEqualTo("size");
        assertThat(error.getMessage()).contains(size);
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"16x16x", "16x16xx"})
    void sizeWithATrailingSeparatorIsInvalid(String size) {
        var request = image("{\"model\":\"image\",\"prompt\":\"x\",\"size\":\"" + size + "\"}");

        assertThat(failureOf(() -> provider(Duration.ZERO).images(request))).isInstanceOf(ProviderException.class);
    }

    /** The failure of a call, whether it throws or returns a failed future. */
    private static Throwable failureOf(Supplier<CompletableFuture<?>> call) {
        try {
            call.get().join();
        } catch (CompletionException e) {
            return e.getCause();
        } catch (RuntimeException e) {
            return e;
        }
        throw new AssertionError("expected the call to fail");
    }

    private static List<JsonNode> toJson(List<ChatCompletionChunk> chunks) throws IOException {
        var json = new ArrayList<JsonNode>();
        for (ChatCompletionChunk chunk : chunks) {
            json.add(MAPPER.readTree(MAPPER.writeValueAsBytes(chunk)));
        }
        return json;
    }

    private static float[] floats(JsonNode array) {
        assertThat(array.isArray()).isTrue();
        float[] values = new float[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = array.get(i).floatValue();
        }
        return values;
    }

    private static double norm(float[] vector) {
        double sum = 0;
        for (float value : vector) {
            sum += (double) value * value;
        }
        return Math.sqrt(sum);
    }

    private static BufferedImage decodePng(byte[] bytes) {
        assertThat(bytes).startsWith(0x89, 'P', 'N', 'G');
        try {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes));
            assertThat(image).isNotNull();
            return image;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ChatCompletionRequest chat(String json) {
        return read(json, ChatCompletionRequest.class);
    }

    private static EmbeddingRequest embedding(String json) {
        return read(json, EmbeddingRequest.class);
    }

    private static ImageRequest image(String json) {
        return read(json, ImageRequest.class);
    }

    private static <T> T read(String json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Records what a stream hands out, and when. */
    private static class Collector implements StreamObserver<ChatCompletionChunk> {

        final List<ChatCompletionChunk> items = new CopyOnWriteArrayList<>();
        final List<Long> times = new CopyOnWriteArrayList<>();
        final AtomicInteger completions = new AtomicInteger();
        final CountDownLatch ended = new CountDownLatch(1);
        volatile ProviderException error;

        @Override
        public void onNext(ChatCompletionChunk item) {
            times.add(System.nanoTime());
            items.add(item);
        }

        @Override
        public void onComplete() {
            completions.incrementAndGet();
            ended.countDown();
        }

        @Override
        public void onError(ProviderException failure) {
            error = failure;
            ended.countDown();
        }

        void awaitEnd() throws InterruptedException {
            assertThat(ended.await(10, TimeUnit.SECONDS)).as("stream ended").isTrue();
        }
    }
}
