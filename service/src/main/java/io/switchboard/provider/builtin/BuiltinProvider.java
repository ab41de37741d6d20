package io.switchboard.provider.builtin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.switchboard.api.ChatChoice;
import io.switchboard.api.ChatCompletionChunk;
import io.switchboard.api.ChatCompletionRequest;
import io.switchboard.api.ChatCompletionResponse;
import io.switchboard.api.ChatResponseMessage;
import io.switchboard.api.ChatTool;
import io.switchboard.api.ChunkChoice;
import io.switchboard.api.ChunkDelta;
import io.switchboard.api.CompletionChoice;
import io.switchboard.api.CompletionRequest;
import io.switchboard.api.CompletionResponse;
import io.switchboard.api.Embedding;
import io.switchboard.api.EmbeddingRequest;
import io.switchboard.api.EmbeddingResponse;
import io.switchboard.api.EmbeddingUsage;
import io.switchboard.api.FunctionCall;
import io.switchboard.api.ImageData;
import io.switchboard.api.ImageRequest;
import io.switchboard.api.ImageResponse;
import io.switchboard.api.ToolCall;
import io.switchboard.api.UnixTime;
import io.switchboard.api.Usage;
import io.switchboard.provider.Capability;
import io.switchboard.provider.ModelInfo;
import io.switchboard.provider.Provider;
import io.switchboard.provider.ProviderException;
import io.switchboard.provider.ProviderException.Kind;
import io.switchboard.provider.StreamHandle;
import io.switchboard.provider.StreamObserver;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The offline provider. {@code echo} repeats the last user message (streamed word by word),
 * {@code embedding} returns deterministic unit vectors, {@code image} draws a PNG from the
 * prompt. Usage counts words as tokens, exactly. When a tool call is forced
 * ({@code tool_choice: "required"} or a named function) it calls that tool with {@code {}}.
 */
public final class BuiltinProvider implements Provider {

    public static final String ECHO = "echo";
    public static final String EMBEDDING = "embedding";
    public static final String IMAGE = "image";

    /** 2026-01-01T00:00:00Z: a fixed creation time keeps the model list stable. */
    private static final long CREATED = 1767225600L;

    private static final String OWNER = "switchboard";
    private static final Set<Capability> CAPABILITIES = Set.of(
            Capability.CHAT, Capability.COMPLETIONS, Capability.EMBEDDINGS, Capability.IMAGES, Capability.MODEL_LIST);

    private final String name;
    private final Duration streamDelay;
    private final int embeddingDimensions;
    private final ScheduledExecutorService scheduler;
    private final Executor executor;
    private final AtomicLong ids = new AtomicLong();

    public BuiltinProvider(
            String name,
            Duration streamDelay,
            int embeddingDimensions,
            ScheduledExecutorService scheduler,
            Executor executor) {
        this.name = name;
        this.streamDelay = streamDelay;
        this.embeddingDimensions = embeddingDimensions;
        this.scheduler = scheduler;
        this.executor = executor;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String type() {
        return "builtin";
    }

    @Override
    public String baseUrl() {
        return null;
    }

    @Override
    public String probeTarget() {
        return "the builtin model list (no network)";
    }

    @Override
    public Set<Capability> capabilities() {
        return CAPABILITIES;
    }

    @Override
    public CompletableFuture<List<ModelInfo>> listModels() {
        return CompletableFuture.completedFuture(List.of(
                new ModelInfo(ECHO, CREATED, OWNER, Set.of(Capability.CHAT, Capability.COMPLETIONS)),
                new ModelInfo(EMBEDDING, CREATED, OWNER, Set.of(Capability.EMBEDDINGS)),
                new ModelInfo(IMAGE, CREATED, OWNER, Set.of(Capability.IMAGES))));
    }

    @Override
    public CompletableFuture<ChatCompletionResponse> chat(ChatCompletionRequest request) {
        var answer = Answer.of(request);
        int n = choices(request.n());
        var choices = new ArrayList<ChatChoice>(n);
        for (int i = 0; i < n; i++) {
            var message = answer.tool() != null
                    ? ChatResponseMessage.assistant(null, List.of(answer.toolCall(i)))
                    : ChatResponseMessage.assistant(String.join(" ", answer.words()), null);
            choices.add(new ChatChoice(i, message, NullNode.getInstance(), answer.finishReason(), Map.of()));
        }
        var usage = Usage.of(BuiltinText.countTokens(request.messages()), (long) n * answer.completionTokens());
        return CompletableFuture.completedFuture(new ChatCompletionResponse(
                nextId("chatcmpl"),
                ChatCompletionResponse.OBJECT,
                UnixTime.nowSeconds(),
                request.model(),
                choices,
                usage,
                Map.of()));
    }

    @Override
    public StreamHandle streamChat(ChatCompletionRequest request, StreamObserver<ChatCompletionChunk> observer) {
        var answer = Answer.of(request);
        int n = choices(request.n());
        String id = nextId("chatcmpl");
        long created = UnixTime.nowSeconds();
        boolean withUsage = request.wantsUsageInStream();
        JsonNode usageField = withUsage ? NullNode.getInstance() : null;
        var chunks = new ArrayList<ChatCompletionChunk>();
        java.util.function.Function<List<ChunkChoice>, ChatCompletionChunk> chunk = choices -> new ChatCompletionChunk(
                id, ChatCompletionChunk.OBJECT, created, request.model(), choices, usageField, Map.of());
        if (answer.tool() != null) {
            for (int i = 0; i < n; i++) {
                ToolCall call = answer.toolCall(i);
                var opening = new ChunkDelta(
                        "assistant",
                        NullNode.getInstance(),
                        NullNode.getInstance(),
                        List.of(new ToolCall(0, call.id(), "function", new FunctionCall(answer.tool(), ""), Map.of())),
                        Map.of());
                chunks.add(chunk.apply(List.of(new ChunkChoice(i, opening, null))));
                chunks.add(chunk.apply(List.of(new ChunkChoice(
                        i,
                        ChunkDelta.toolCalls(
                                List.of(new ToolCall(0, null, null, new FunctionCall(null, "{}"), Map.of()))),
                        null))));
            }
        } else {
            for (int i = 0; i < n; i++) {
                chunks.add(chunk.apply(List.of(new ChunkChoice(i, ChunkDelta.opening(), null))));
            }
            List<String> words = answer.words();
            for (int w = 0; w < words.size(); w++) {
                String piece = w == 0 ? words.get(w) : " " + words.get(w);
                for (int i = 0; i < n; i++) {
                    chunks.add(chunk.apply(List.of(new ChunkChoice(i, ChunkDelta.text(piece), null))));
                }
            }
        }
        for (int i = 0; i < n; i++) {
            chunks.add(chunk.apply(List.of(new ChunkChoice(i, ChunkDelta.empty(), answer.finishReason()))));
        }
        if (withUsage) {
            var usage = Usage.of(BuiltinText.countTokens(request.messages()), (long) n * answer.completionTokens());
            chunks.add(new ChatCompletionChunk(
                    id, ChatCompletionChunk.OBJECT, created, request.model(), List.of(), usageNode(usage), Map.of()));
        }
        return new TimedEmitter<>(chunks, streamDelay, scheduler, executor, observer).start();
    }

    @Override
    public CompletableFuture<CompletionResponse> completions(CompletionRequest request) {
        List<String> words = completionWords(request);
        List<String> limited = BuiltinText.truncate(words, request.maxTokens());
        int n = choices(request.n());
        var choices = new ArrayList<CompletionChoice>(n);
        for (int i = 0; i < n; i++) {
            choices.add(new CompletionChoice(
                    i,
                    String.join(" ", limited),
                    NullNode.getInstance(),
                    limited.size() < words.size() ? "length" : "stop",
                    Map.of()));
        }
        var usage = Usage.of(promptTokens(request.prompt()), (long) n * limited.size());
        return CompletableFuture.completedFuture(new CompletionResponse(
                nextId("cmpl"),
                CompletionResponse.OBJECT,
                UnixTime.nowSeconds(),
                request.model(),
                choices,
                usage,
                Map.of()));
    }

    @Override
    public StreamHandle streamCompletions(CompletionRequest request, StreamObserver<CompletionResponse> observer) {
        List<String> words = completionWords(request);
        List<String> limited = BuiltinText.truncate(words, request.maxTokens());
        String id = nextId("cmpl");
        long created = UnixTime.nowSeconds();
        var chunks = new ArrayList<CompletionResponse>();
        for (int w = 0; w < limited.size(); w++) {
            String piece = w == 0 ? limited.get(w) : " " + limited.get(w);
            chunks.add(new CompletionResponse(
                    id,
                    CompletionResponse.OBJECT,
                    created,
                    request.model(),
                    List.of(new CompletionChoice(0, piece, NullNode.getInstance(), null, Map.of())),
                    null,
                    Map.of()));
        }
        chunks.add(new CompletionResponse(
                id,
                CompletionResponse.OBJECT,
                created,
                request.model(),
                List.of(new CompletionChoice(
                        0, "", NullNode.getInstance(), limited.size() < words.size() ? "length" : "stop", Map.of())),
                null,
                Map.of()));
        if (request.wantsUsageInStream()) {
            chunks.add(new CompletionResponse(
                    id,
                    CompletionResponse.OBJECT,
                    created,
                    request.model(),
                    List.of(),
                    Usage.of(promptTokens(request.prompt()), limited.size()),
                    Map.of()));
        }
        return new TimedEmitter<>(chunks, streamDelay, scheduler, executor, observer).start();
    }

    @Override
    public CompletableFuture<EmbeddingResponse> embeddings(EmbeddingRequest request) {
        int dimensions = request.dimensions() != null ? request.dimensions() : embeddingDimensions;
        boolean base64 = "base64".equals(request.encodingFormat());
        List<String> inputs = BuiltinText.inputs(request.input());
        var data = new ArrayList<Embedding>(inputs.size());
        long tokens = 0;
        for (int i = 0; i < inputs.size(); i++) {
            float[] vector = BuiltinEmbeddings.embed(inputs.get(i), dimensions);
            JsonNode encoded;
            if (base64) {
                encoded = TextNode.valueOf(BuiltinEmbeddings.base64(vector));
            } else {
                ArrayNode array = JsonNodeFactory.instance.arrayNode(vector.length);
                for (float value : vector) {
                    array.add(value);
                }
                encoded = array;
            }
            data.add(new Embedding("embedding", i, encoded, Map.of()));
            tokens += BuiltinText.words(inputs.get(i)).size();
        }
        return CompletableFuture.completedFuture(new EmbeddingResponse(
                "list", data, request.model(), new EmbeddingUsage(tokens, tokens, Map.of()), Map.of()));
    }

    @Override
    public CompletableFuture<ImageResponse> images(ImageRequest request) {
        int[] size = parseSize(request.size());
        int n = choices(request.n());
        boolean url = !"b64_json".equals(request.responseFormat());
        // Drawing takes milliseconds: keep it off the request thread.
        return CompletableFuture.supplyAsync(
                () -> {
                    var data = new ArrayList<ImageData>(n);
                    for (int i = 0; i < n; i++) {
                        String png = BuiltinImages.pngBase64(request.prompt(), i, size[0], size[1]);
                        data.add(
                                url
                                        ? new ImageData(
                                                null, "data:image/png;base64," + png, request.prompt(), Map.of())
                                        : new ImageData(png, null, request.prompt(), Map.of()));
                    }
                    return new ImageResponse(UnixTime.nowSeconds(), data, Map.of());
                },
                executor);
    }

    private static JsonNode usageNode(Usage usage) {
        return JsonNodeFactory.instance
                .objectNode()
                .put("prompt_tokens", usage.promptTokens())
                .put("completion_tokens", usage.completionTokens())
                .put("total_tokens", usage.totalTokens());
    }

    private static int[] parseSize(String size) {
        if (size == null || size.isBlank() || "auto".equals(size)) {
            return new int[] {1024, 1024};
        }
        String[] parts = size.toLowerCase(java.util.Locale.ROOT).split("x", -1);
        try {
            if (parts.length == 2) {
                int width = Integer.parseInt(parts[0].strip());
                int height = Integer.parseInt(parts[1].strip());
                if (width > 0 && height > 0 && width <= BuiltinImages.MAX_SIDE && height <= BuiltinImages.MAX_SIDE) {
                    return new int[] {width, height};
                }
            }
        } catch (NumberFormatException fallThrough) {
            // reported below
        }
        throw new ProviderException(
                Kind.UPSTREAM_4XX,
                "builtin",
                "Invalid size '" + size + "': use WIDTHxHEIGHT, each between 1 and " + BuiltinImages.MAX_SIDE,
                400,
                io.switchboard.api.ErrorDetail.invalidRequest("Invalid size '" + size + "'", "size", null),
                null,
                null);
    }

    private static List<String> completionWords(CompletionRequest request) {
        List<String> prompts = BuiltinText.inputs(request.prompt());
        String text = prompts.isEmpty() ? "" : prompts.get(0);
        List<String> words = BuiltinText.words(text);
        return words.isEmpty() ? BuiltinText.words(BuiltinText.NO_INPUT) : words;
    }

    private static long promptTokens(JsonNode prompt) {
        long count = 0;
        for (String text : BuiltinText.inputs(prompt)) {
            count += BuiltinText.words(text).size();
        }
        return count;
    }

    private static int choices(Integer n) {
        return n == null ? 1 : Math.max(1, n);
    }

    private String nextId(String prefix) {
        return prefix + "-" + name + "-" + ids.incrementAndGet();
    }

    /** What the echo model says to one request: its words, or a forced tool call. */
    private record Answer(List<String> words, String tool, String finishReason, String callSeed) {

        static Answer of(ChatCompletionRequest request) {
            String tool = forcedTool(request);
            List<String> words = BuiltinText.words(BuiltinText.reply(request.messages()));
            if (tool != null) {
                return new Answer(List.of(), tool, "tool_calls", String.join(" ", words));
            }
            List<String> limited = BuiltinText.truncate(words, request.tokenLimit());
            return new Answer(limited, null, limited.size() < words.size() ? "length" : "stop", "");
        }

        long completionTokens() {
            return tool != null ? 1 : words.size();
        }

        ToolCall toolCall(int index) {
            String id = "call_" + Integer.toHexString((tool + "|" + callSeed + "|" + index).hashCode());
            return ToolCall.function(id, tool, "{}");
        }

        /** The function the request forces a call of: named in tool_choice, or the first if "required". */
        private static String forcedTool(ChatCompletionRequest request) {
            JsonNode choice = request.toolChoice();
            List<ChatTool> tools = request.tools();
            if (choice == null || tools == null || tools.isEmpty()) {
                return null;
            }
            if (choice.isTextual() && "required".equals(choice.textValue())) {
                ChatTool first = tools.get(0);
                return first.function() != null ? first.function().name() : null;
            }
            String named = choice.path("function").path("name").asText(null);
            return choice.isObject() ? named : null;
        }
    }
}
