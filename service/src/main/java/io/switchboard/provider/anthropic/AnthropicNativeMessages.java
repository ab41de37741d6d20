package io.switchboard.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.api.Usage;
import io.switchboard.provider.NativeMessages;
import io.switchboard.provider.ProviderException;
import io.switchboard.provider.ProviderException.Kind;
import io.switchboard.provider.StreamHandle;
import io.switchboard.provider.StreamObserver;
import io.switchboard.provider.http.JsonHttpTransport;
import io.switchboard.provider.sse.SseEvent;
import io.switchboard.provider.sse.SseHandler;
import org.eclipse.jetty.client.Request;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

/**
 * The Messages API passed through to Anthropic: the client's body goes out byte for byte (the
 * ingress has already rewritten its model), the response and each stream event come back as
 * they were sent. Only usage is read on the way, for the accounts, and a stream's {@code error}
 * event is turned into a failure so routing can fall back before the commit point.
 *
 * <p>Headers: the adapter's own (key, configured headers) as for chat, then the client's
 * {@code anthropic-version} in place of the configured one, and the client's
 * {@code anthropic-beta} added to any configured.
 */
final class AnthropicNativeMessages implements NativeMessages {

    static final String BETA = "anthropic-beta";
    static final String VERSION = "anthropic-version";

    private final AnthropicSettings settings;
    private final JsonHttpTransport http;
    private final UnaryOperator<Request> authorize;

    AnthropicNativeMessages(AnthropicSettings settings, JsonHttpTransport http, UnaryOperator<Request> authorize) {
        this.settings = settings;
        this.http = http;
        this.authorize = authorize;
    }

    @Override
    public CompletableFuture<Reply> create(Call call) {
        return http.exchange(
                post("/v1/messages", call),
                body -> new Reply(
                        body, AnthropicMapper.usage(http.mapper().readTree(body).get("usage"), null)));
    }

    @Override
    public StreamHandle stream(Call call, StreamObserver<Event> observer) {
        return http.stream(post("/v1/messages", call), new Relay(observer));
    }

    @Override
    public CompletableFuture<Reply> countTokens(Call call) {
        return http.exchange(post("/v1/messages/count_tokens", call), body -> new Reply(body, null));
    }

    private Request post(String path, Call call) {
        Request request = authorize.apply(http.postBytes(settings.baseUrl() + path, call.body()));
        Map<String, String> forwarded = call.headers();
        return request.headers(h -> {
            String version = forwarded.get(VERSION);
            if (version != null) {
                h.put(VERSION, version);
            }
            String beta = forwarded.get(BETA);
            if (beta != null) {
                String configured = h.get(BETA);
                h.put(BETA, configured == null || configured.isBlank() ? beta : configured + "," + beta);
            }
        });
    }

    /** Hands each event on as received, keeping the stream's usage up to date. */
    private final class Relay implements SseHandler {

        private final StreamObserver<Event> observer;
        private ObjectNode usage;
        private boolean stopped;
        private boolean ended;

        Relay(StreamObserver<Event> observer) {
            this.observer = observer;
        }

        @Override
        public void onEvent(SseEvent event) {
            if (ended) {
                return;
            }
            JsonNode data = AnthropicMapper.eventData(settings.name(), http.mapper(), event);
            String type = data.path("type").asText(event.event() != null ? event.event() : "");
            Usage changed = null;
            switch (type) {
                case "message_start" -> {
                    JsonNode start = data.path("message").path("usage");
                    usage = start.isObject() ? start.deepCopy() : http.mapper().createObjectNode();
                    changed = AnthropicMapper.usage(usage, null);
                }
                case "message_delta" -> {
                    JsonNode delta = data.get("usage");
                    if (delta != null && delta.isObject()) {
                        if (usage == null) {
                            usage = http.mapper().createObjectNode();
                        }
                        delta.properties().forEach(field -> {
                            if (!field.getValue().isNull()) {
                                usage.set(field.getKey(), field.getValue());
                            }
                        });
                        changed = AnthropicMapper.usage(usage, null);
                    }
                }
                case "message_stop" -> stopped = true;
                case "error" -> throw AnthropicMapper.streamError(settings.name(), data.path("error"));
                default -> {}
            }
            observer.onNext(new Event(event.event() != null ? event.event() : type, event.data(), changed));
        }

        @Override
        public void onEnd() {
            if (ended) {
                return;
            }
            ended = true;
            if (stopped) {
                observer.onComplete();
            } else {
                observer.onError(new ProviderException(
                        Kind.MALFORMED,
                        settings.name(),
                        "The event stream from " + settings.name() + " ended before message_stop"));
            }
        }

        @Override
        public void onError(ProviderException error) {
            if (!ended) {
                ended = true;
                observer.onError(error);
            }
        }
    }
}
