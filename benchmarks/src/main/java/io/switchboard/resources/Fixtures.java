package io.switchboard.resources;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.api.ChatCompletionChunk;
import io.switchboard.provider.StreamObserver;
import io.switchboard.provider.openai.OpenAiChunks;
import io.switchboard.provider.sse.SseParser;

import java.nio.ByteBuffer;

/** Wire bodies for the benchmarks: the same shapes scripts/bench/ sends and its fake upstream returns. */
public final class Fixtures {

    static final String SMALL_REQUEST = "{\"model\":\"fast/bench-model\",\"messages\":["
            + "{\"role\":\"system\",\"content\":\"You are a concise assistant. Answer in one sentence.\"},"
            + "{\"role\":\"user\",\"content\":\"What does an LLM gateway add to each request, and how would you"
            + " measure it?\"}],\"temperature\":0.2,\"max_tokens\":64,\"user\":\"bench\"}";

    public static final String RESPONSE =
            "{\"id\":\"chatcmpl-bench0001\",\"object\":\"chat.completion\",\"created\":1732600000,"
                    + "\"model\":\"bench-model\",\"system_fingerprint\":\"fp_bench\",\"choices\":[{\"index\":0,\"message\":"
                    + "{\"role\":\"assistant\",\"content\":\"Switchboard relays this answer from a fake upstream that is fast"
                    + " enough not to be the bottleneck.\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"stop\"}],"
                    + "\"usage\":{\"prompt_tokens\":42,\"completion_tokens\":19,\"total_tokens\":61}}";

    public static final String STREAM;

    static {
        var events = new StringBuilder();
        events.append(chunk("{\"role\":\"assistant\",\"content\":\"\"}", "null"));
        for (String word : new String[] {"Switchboard ", "relays ", "each ", "chunk ", "as ", "it comes."}) {
            events.append(chunk("{\"content\":\"" + word + "\"}", "null"));
        }
        events.append(chunk("{}", "\"stop\""));
        events.append("data: [DONE]\n\n");
        STREAM = events.toString();
    }

    private Fixtures() {}

    /**
     * Parses an upstream chat stream as the OpenAI-compatible adapter does (SSE framing, each
     * chunk read and checked) and hands every chunk to {@code chunks}, then completes it.
     */
    public static void relayChatStream(ObjectMapper mapper, byte[] stream, StreamObserver<ChatCompletionChunk> chunks) {
        var parser = new SseParser(
                event -> {
                    if (!event.isDone()) {
                        chunks.onNext(OpenAiChunks.read(
                                mapper,
                                event.data(),
                                ChatCompletionChunk.class,
                                parsed -> parsed.choices() != null,
                                "fast-sse"));
                    }
                },
                16 * 1024 * 1024);
        parser.feed(ByteBuffer.wrap(stream));
        parser.end();
        chunks.onComplete();
    }

    private static String chunk(String delta, String finish) {
        return "data: {\"id\":\"chatcmpl-bench0001\",\"object\":\"chat.completion.chunk\",\"created\":1732600000,"
                + "\"model\":\"bench-model\",\"system_fingerprint\":\"fp_bench\",\"choices\":[{\"index\":0,\"delta\":"
                + delta + ",\"logprobs\":null,\"finish_reason\":" + finish + "}]}\n\n";
    }

    /** A conversation of {@code turns} messages, alternating user and assistant, about 450 bytes each. */
    static String history(int turns) {
        var body = new StringBuilder("{\"model\":\"fast/bench-model\",\"messages\":[")
                .append("{\"role\":\"system\",\"content\":\"You are a concise assistant.\"}");
        String text = "Tell me more about how a gateway relays server-sent events without holding a thread per"
                + " stream, and what that costs in memory for each open connection on a small machine. ";
        for (int i = 0; i < turns; i++) {
            body.append(",{\"role\":\"")
                    .append(i % 2 == 0 ? "user" : "assistant")
                    .append("\",\"content\":\"")
                    .append(text)
                    .append(text)
                    .append(text)
                    .append("\"}");
        }
        return body.append("],\"temperature\":0.2,\"max_tokens\":256,\"stream\":false}")
                .toString();
    }
}
