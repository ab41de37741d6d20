package io.switchboard.warmup;

import org.eclipse.jetty.client.BufferingResponseListener;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.http.HttpMethod;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Drives the gateway's hot path through its real HTTP stack: non-streamed and streamed chat
 * completions (the bulk), with now and then a Messages, a Responses and a model-list call, sent
 * to a gateway on loopback by a Jetty client with a few requests in flight. What it sends is
 * {@link #mix}: each model is a route the gateway under training serves without network (the
 * builtin provider, and an OpenAI-type provider whose upstream is the gateway itself, so the
 * upstream client and the SSE relay run too). Used by {@code train}, the run that writes the
 * JVM's class-data / ahead-of-time cache, and by nothing on a request path.
 */
public final class HotPathDriver {

    /** One kind of request: method, path, body (null for a GET) and whether the answer streams. */
    public record Call(String method, String path, String body, boolean stream) {}

    /** What one run did. */
    public record Outcome(long sent, long ok, long failed, Duration took, String firstFailure) {

        /**
         * Whether at least 99 % of what was sent answered as expected (one never answered, not
         * even by its timeout, counts against it as a failure does).
         */
        public boolean healthy() {
            return sent > 0 && ok * 100 >= sent * 99;
        }
    }

    private static final String PROMPT =
            "Summarise in one sentence what an LLM gateway adds between an application and its model"
                    + " providers, and how an operator would measure what it costs per request.";

    /** The mix, one cycle: chat dominates, as it does in real traffic; the rest keeps its classes warm. */
    public static List<Call> mix(String throughUpstream, String direct) {
        return List.of(
                chat(throughUpstream, false),
                chat(throughUpstream, true),
                chat(throughUpstream, false),
                chat(direct, false),
                chat(throughUpstream, true),
                chat(direct, true),
                chat(throughUpstream, false),
                chat(throughUpstream, true),
                messages(throughUpstream),
                responses(throughUpstream),
                new Call("GET", "/v1/models", null, false));
    }

    private static Call chat(String model, boolean stream) {
        return new Call(
                "POST",
                "/v1/chat/completions",
                "{\"model\":\"" + model + "\",\"messages\":["
                        + "{\"role\":\"system\",\"content\":\"You are a concise assistant.\"},"
                        + "{\"role\":\"user\",\"content\":\"" + PROMPT + "\"}],"
                        + "\"temperature\":0.2,\"max_tokens\":64"
                        + (stream ? ",\"stream\":true,\"stream_options\":{\"include_usage\":true}" : "")
                        + ",\"user\":\"train\"}",
                stream);
    }

    private static Call messages(String model) {
        return new Call(
                "POST",
                "/v1/messages",
                "{\"model\":\"" + model + "\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\""
                        + PROMPT + "\"}]}",
                false);
    }

    private static Call responses(String model) {
        return new Call(
                "POST",
                "/v1/responses",
                "{\"model\":\"" + model + "\",\"input\":\"" + PROMPT + "\",\"store\":false}",
                false);
    }

    private final URI base;
    private final List<Call> mix;
    private final int concurrency;

    /** {@code base}: the gateway's API, e.g. {@code http://127.0.0.1:8080}. */
    public HotPathDriver(URI base, List<Call> mix, int concurrency) {
        if (mix.isEmpty() || concurrency < 1) {
            throw new IllegalArgumentException("a mix of calls and at least one in flight");
        }
        this.base = base;
        this.mix = List.copyOf(mix);
        this.concurrency = concurrency;
    }

    /**
     * Sends the mix round and round until {@code requests} have been sent or {@code maxTime} has
     * passed, whichever is first, and waits for the answers in flight (each has a 10 s timeout).
     */
    public Outcome run(long requests, Duration maxTime) throws Exception {
        var client = new HttpClient();
        client.setMaxConnectionsPerDestination(concurrency);
        client.setConnectTimeout(5_000);
        client.setIdleTimeout(30_000);
        client.setName("switchboard-warmup");
        client.start();
        var inFlight = new Semaphore(concurrency);
        var ok = new AtomicLong();
        var failed = new AtomicLong();
        var firstFailure = new AtomicReference<String>();
        long start = System.nanoTime();
        long deadline = start + maxTime.toNanos();
        long sent = 0;
        try {
            while (sent < requests && System.nanoTime() < deadline) {
                if (!inFlight.tryAcquire(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    break;
                }
                Call call = mix.get((int) (sent % mix.size()));
                sent++;
                var request = client.newRequest(base.resolve(call.path()))
                        .method(HttpMethod.fromString(call.method()))
                        .timeout(10, TimeUnit.SECONDS);
                if (call.body() != null) {
                    request.body(new StringRequestContent("application/json", call.body()));
                }
                request.send(new BufferingResponseListener(4 * 1024 * 1024) {
                    @Override
                    public void onComplete(org.eclipse.jetty.client.Result result) {
                        String why = problem(call, result, getContentAsString());
                        if (why == null) {
                            ok.incrementAndGet();
                        } else {
                            failed.incrementAndGet();
                            firstFailure.compareAndSet(null, call.path() + ": " + why);
                        }
                        inFlight.release();
                    }
                });
            }
            // Every answer in, or given up on by its own timeout.
            inFlight.tryAcquire(concurrency, 15, TimeUnit.SECONDS);
        } finally {
            client.stop();
        }
        return new Outcome(
                sent, ok.get(), failed.get(), Duration.ofNanos(System.nanoTime() - start), firstFailure.get());
    }

    /** Why an answer is not what the call expects, or null when it is. */
    private static String problem(Call call, org.eclipse.jetty.client.Result result, String body) {
        if (result.isFailed()) {
            Throwable failure = result.getFailure();
            return failure.getClass().getSimpleName() + ": " + failure.getMessage();
        }
        int status = result.getResponse().getStatus();
        if (status != 200) {
            return "status " + status + ": " + abbreviate(body);
        }
        if (call.stream() && !body.contains("data: [DONE]")) {
            return "a stream without its end: " + abbreviate(body);
        }
        return null;
    }

    private static String abbreviate(String body) {
        String flat = body == null ? "" : body.replaceAll("\\s+", " ");
        return flat.length() > 200 ? flat.substring(0, 200) + "…" : flat;
    }
}
