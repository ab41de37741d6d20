package io.switchboard.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.provider.ProviderException;
import io.switchboard.routing.RouteStreamObserver;
import io.switchboard.routing.Target;

import java.util.function.Consumer;

/**
 * What every Responses API stream goes through on its way to the client, translated or passed
 * through: numbers the events ({@code sequence_number} from 0, counting only what the client
 * sees), names the client's model on each response object, hands the final response to
 * {@code finished} (to be stored) before the client sees its last event, and turns a failure
 * after the commit point into OpenAI's {@code response.failed} event, which ends the stream.
 */
final class ResponseStreamSink implements RouteStreamObserver<ObjectNode> {

    private final RouteStreamObserver<ObjectNode> client;
    private final String model;
    private final Consumer<ObjectNode> finished;
    private long sequence;
    private volatile boolean committed;
    private ObjectNode lastResponse;

    ResponseStreamSink(RouteStreamObserver<ObjectNode> client, String model, Consumer<ObjectNode> finished) {
        this.client = client;
        this.model = model;
        this.finished = finished;
    }

    @Override
    public void onCommit(Target target, long upstreamNanos, int attempts) {
        committed = true;
        client.onCommit(target, upstreamNanos, attempts);
    }

    @Override
    public boolean commits(ObjectNode event) {
        return ChatStreamEvents.commits(event);
    }

    @Override
    public void onNext(ObjectNode event) {
        JsonNode response = event.get("response");
        if (response instanceof ObjectNode object) {
            object.put("model", model);
            lastResponse = object;
            switch (event.path("type").asText()) {
                case "response.completed", "response.incomplete", "response.failed" -> finished.accept(object);
                default -> {}
            }
        }
        event.put("sequence_number", sequence++);
        client.onNext(event);
    }

    @Override
    public void onComplete() {
        client.onComplete();
    }

    @Override
    public void onError(ProviderException error) {
        if (!committed || lastResponse == null) {
            client.onError(error);
            return;
        }
        var failed = lastResponse.deepCopy().put("status", "failed");
        failed.putObject("error")
                .put("code", error.kind() == ProviderException.Kind.TIMEOUT ? "timeout" : "server_error")
                .put("message", error.getMessage());
        var event = failed.objectNode().put("type", "response.failed");
        event.set("response", failed);
        try {
            onNext(event);
        } finally {
            client.onComplete();
        }
    }
}
