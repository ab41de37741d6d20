package io.switchboard.provider.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.provider.Burst;
import io.switchboard.provider.ProviderException;
import io.switchboard.provider.ProviderException.Kind;
import io.switchboard.provider.StreamHandle;
import io.switchboard.provider.sse.SseEvent;
import io.switchboard.provider.sse.SseHandler;
import io.switchboard.provider.sse.SseParser;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.Content;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * JSON over HTTP for adapters: send a request, get a parsed body or a classified
 * {@link ProviderException}; or send one and receive its server-sent events as they arrive.
 * Knows HTTP and JSON, nothing of any provider's schema. Cancelling a returned future or handle
 * aborts the exchange and returns its connection to the pool.
 */
public final class JsonHttpTransport {

    private static final String JSON = "application/json";
    private static final int MAX_ERROR_BODY = 64 * 1024;
    private static final int MAX_SSE_LINE = 16 * 1024 * 1024;
    /** The largest answer read on the I/O thread that received it; a larger one goes to the pool. */
    static final int INLINE_BODY_BYTES = 64 * 1024;

    private final String provider;
    private final HttpClient client;
    private final ObjectMapper mapper;
    private final Duration readTimeout;
    private final UpstreamErrorParser errorParser;
    private final int maxResponseBytes;
    /** Where work leaves the client's I/O thread: the upstream clients' pool. */
    private final Executor executor;

    /**
     * @param readTimeout       longest silence while waiting for the response or its next bytes
     * @param maxResponseBytes  largest non-streamed response body accepted
     */
    public JsonHttpTransport(
            String provider,
            HttpClient client,
            ObjectMapper mapper,
            Duration readTimeout,
            UpstreamErrorParser errorParser,
            int maxResponseBytes) {
        this.provider = provider;
        this.client = client;
        this.mapper = mapper;
        this.readTimeout = readTimeout;
        this.errorParser = errorParser;
        this.maxResponseBytes = maxResponseBytes;
        this.executor = client.getExecutor();
    }

    public ObjectMapper mapper() {
        return mapper;
    }

    /** A GET with the read timeout set; the caller adds headers. */
    public Request get(String url) {
        return client.newRequest(url)
                .method(HttpMethod.GET)
                .idleTimeout(readTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .headers(headers -> headers.put(HttpHeader.ACCEPT, JSON));
    }

    /** A POST of {@code body} as JSON, with the read timeout set; the caller adds headers. */
    public Request postJson(String url, Object body) {
        byte[] bytes;
        try {
            bytes = mapper.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Cannot serialise an upstream request", e);
        }
        return client.newRequest(url)
                .method(HttpMethod.POST)
                .idleTimeout(readTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .body(new BytesRequestContent(JSON, bytes));
    }

    /** A POST of a JSON body that is already bytes (a client's, passed through unchanged). */
    public Request postBytes(String url, byte[] json) {
        return client.newRequest(url)
                .method(HttpMethod.POST)
                .idleTimeout(readTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .body(new BytesRequestContent(JSON, json));
    }

    /** Sends the request and parses a 2xx body as {@code type}. */
    public <T> CompletableFuture<T> exchange(Request request, Class<T> type) {
        return exchange(request, body -> mapper.readValue(body, type));
    }

    /**
     * Sends the request and reads a 2xx body with {@code reader}.
     *
     * <p>Where the result completes: a 2xx body of at most {@value #INLINE_BODY_BYTES} bytes is
     * read, and the result completed, on the client's I/O thread that received it, with no
     * hand-off (a chat answer is a few KB: the hand-off was a thread wake-up and a switch per
     * request, docs/performance.md). A larger body, an error and a failure are handled on the
     * client's pool. So what chains on the result must not block, as with a stream's events:
     * work that may (a database write) moves to a pool itself.
     */
    public <T> CompletableFuture<T> exchange(Request request, BodyReader<T> reader) {
        String url = displayUrl(request);
        CompletableFuture<ContentResponse> sent = new CompletableResponseListener(request, maxResponseBytes).send();
        var result = new CompletableFuture<T>();
        sent.whenComplete((response, failure) -> {
            if (failure == null
                    && response.getStatus() / 100 == 2
                    && response.getContent().length <= INLINE_BODY_BYTES) {
                finish(response, null, reader, url, result);
            } else {
                executor.execute(() -> finish(response, failure, reader, url, result));
            }
        });
        // Ending the caller's future from outside (client gone, deadline) aborts the exchange.
        result.whenComplete((value, failure) -> {
            if (failure != null && !sent.isDone()) {
                request.abort(failure);
            }
        });
        return result;
    }

    private <T> void finish(
            ContentResponse response,
            Throwable failure,
            BodyReader<T> reader,
            String url,
            CompletableFuture<T> result) {
        if (failure != null) {
            result.completeExceptionally(UpstreamErrors.fromFailure(provider, url, failure));
            return;
        }
        int status = response.getStatus();
        if (status / 100 != 2) {
            result.completeExceptionally(errorOf(status, response, response.getContent()));
            return;
        }
        T value;
        try {
            value = reader.read(response.getContent());
        } catch (IOException | RuntimeException e) {
            result.completeExceptionally(new ProviderException(
                    Kind.MALFORMED, provider, "Unreadable response from " + url + ": " + firstLine(e), e));
            return;
        }
        result.complete(value);
    }

    /** Sends the request and relays its event stream to {@code handler} as bytes arrive. */
    public StreamHandle stream(Request request, SseHandler handler) {
        request.headers(headers -> headers.put(HttpHeader.ACCEPT, "text/event-stream"));
        var listener = new StreamListener(request, handler, displayUrl(request));
        request.send(listener);
        return listener::cancel;
    }

    private ProviderException errorOf(int status, Response response, byte[] body) {
        var retryAfter = UpstreamErrors.parseRetryAfter(response.getHeaders().get(HttpHeader.RETRY_AFTER));
        return UpstreamErrors.fromStatus(provider, status, errorParser.parse(status, body), retryAfter);
    }

    /** The URL without its query string, which may carry a key (Gemini's {@code ?key=}). */
    private static String displayUrl(Request request) {
        return request.getScheme() + "://" + request.getHost() + ":" + request.getPort() + request.getPath();
    }

    private static String firstLine(Exception e) {
        String message = String.valueOf(e.getMessage());
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    /** Reads a response body. */
    @FunctionalInterface
    public interface BodyReader<T> {
        T read(byte[] body) throws IOException;
    }

    /** Feeds a streamed response to an SSE parser, or buffers it when it is an error. */
    private final class StreamListener implements Response.Listener {

        private final Request request;
        private final SseHandler handler;
        private final String url;
        private final AtomicBoolean finished = new AtomicBoolean();
        private final SseParser parser;
        private ByteArrayOutputStream errorBody;
        /** Set once the consumer writes without blocking: reads are relayed on the I/O thread. */
        private volatile boolean inline;

        StreamListener(Request request, SseHandler handler, String url) {
            this.request = request;
            this.handler = handler;
            this.url = url;
            this.parser = new SseParser(this::deliver, MAX_SSE_LINE);
        }

        void cancel() {
            if (finished.compareAndSet(false, true)) {
                request.abort(new CancellationException("cancelled by the gateway"));
            }
        }

        @Override
        public void onHeaders(Response response) {
            int status = response.getStatus();
            String contentType = response.getHeaders().get(HttpHeader.CONTENT_TYPE);
            boolean eventStream = contentType == null || contentType.startsWith("text/event-stream");
            if (status / 100 != 2 || !eventStream) {
                errorBody = new ByteArrayOutputStream();
            }
        }

        /**
         * One read of the stream. Until the consumer has said its writes never block, the read
         * is handed to the client's pool (the selector thread must not wait on a client's
         * socket); after that it is relayed right here, on the I/O thread that read it, with no
         * hand-off. Either way the next read waits for {@code demander}: run at once, or when a
         * consumer that {@linkplain Burst#pause() paused} the stream resumes it.
         */
        @Override
        public void onContent(Response response, Content.Chunk chunk, Runnable demander) {
            ByteBuffer content = chunk.getByteBuffer();
            if (finished.get()) {
                content.position(content.limit());
                demander.run();
                return;
            }
            if (errorBody != null) {
                if (errorBody.size() < MAX_ERROR_BODY) {
                    byte[] bytes = new byte[Math.min(content.remaining(), MAX_ERROR_BODY - errorBody.size())];
                    content.get(bytes);
                    errorBody.writeBytes(bytes);
                }
                content.position(content.limit());
                demander.run();
                return;
            }
            if (inline) {
                relay(content, demander);
                return;
            }
            // The chunk is released when this returns: the pool gets a copy.
            ByteBuffer copy =
                    ByteBuffer.allocate(content.remaining()).put(content).flip();
            executor.execute(() -> relay(copy, demander));
        }

        /** Feeds one read to the parser as one burst, then reads on unless the consumer paused. */
        private void relay(ByteBuffer content, Runnable demander) {
            Burst burst;
            try {
                // What one read brought is handed on as one burst: a relay may write it at once.
                burst = Burst.deliver(() -> parser.feed(content));
            } catch (SseParser.MalformedStreamException malformed) {
                fail(new ProviderException(
                        Kind.MALFORMED,
                        provider,
                        "Malformed event stream from " + url + ": " + malformed.getMessage(),
                        malformed));
                request.abort(malformed);
                return;
            } catch (ProviderException handlerRefused) {
                fail(handlerRefused);
                request.abort(handlerRefused);
                return;
            } catch (RuntimeException handlerFailed) {
                // The handler could not take the event (the client left): stop the upstream too.
                fail(new ProviderException(
                        Kind.CANCELLED, provider, "Stream abandoned: " + handlerFailed, handlerFailed));
                request.abort(handlerFailed);
                return;
            }
            if (burst.nonBlocking()) {
                inline = true;
            }
            Burst.Resume paused = burst.paused();
            if (paused == null) {
                demander.run();
            } else {
                paused.then(demander);
            }
        }

        private void deliver(SseEvent event) {
            if (!finished.get()) {
                handler.onEvent(event);
            }
        }

        /** The end (or failure) of the exchange: its handling may block, so it runs on the pool. */
        @Override
        public void onComplete(Result result) {
            executor.execute(() -> complete(result));
        }

        private void complete(Result result) {
            if (result.isFailed()) {
                fail(UpstreamErrors.fromFailure(provider, url, result.getFailure()));
                return;
            }
            Response response = result.getResponse();
            if (errorBody != null) {
                int status = response.getStatus();
                if (status / 100 == 2) {
                    fail(new ProviderException(
                            Kind.MALFORMED,
                            provider,
                            "Expected an event stream from " + url + " but got "
                                    + response.getHeaders().get(HttpHeader.CONTENT_TYPE),
                            null));
                } else {
                    fail(errorOf(status, response, errorBody.toByteArray()));
                }
                return;
            }
            parser.end();
            if (finished.compareAndSet(false, true)) {
                handler.onEnd();
            }
        }

        /**
         * Ends the stream with {@code error}, once. The handler hears it on the pool: this may be
         * the I/O thread (a read relayed there failed), and the end of a call may block.
         */
        private void fail(ProviderException error) {
            if (finished.compareAndSet(false, true)) {
                executor.execute(() -> handler.onError(error));
            }
        }
    }
}
