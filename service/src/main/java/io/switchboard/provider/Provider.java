package io.switchboard.provider;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.api.ChatCompletionChunk;
import io.switchboard.api.ChatCompletionRequest;
import io.switchboard.api.ChatCompletionResponse;
import io.switchboard.api.CompletionRequest;
import io.switchboard.api.CompletionResponse;
import io.switchboard.api.EmbeddingRequest;
import io.switchboard.api.EmbeddingResponse;
import io.switchboard.api.ImageRequest;
import io.switchboard.api.ImageResponse;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * One configured upstream. Requests arrive with {@code model} already set to the upstream's own
 * id; responses go back as the upstream named them (routing restores the client's id).
 *
 * <p>Every call is asynchronous. Cancelling a returned future or completing it exceptionally
 * (the gateway's deadline does that, with a TIMEOUT), or cancelling a returned
 * {@link StreamHandle}, aborts the upstream call. Failures are {@link ProviderException}s.
 * An operation the provider lacks fails with {@link ProviderException.Kind#UNSUPPORTED}.
 */
public interface Provider extends AutoCloseable {

    /** The configured name, the prefix of its model ids. */
    String name();

    /** The configured type, e.g. {@code openai}. */
    String type();

    /** Where it sends requests, for display; never contains a key. Null when not over HTTP. */
    String baseUrl();

    Set<Capability> capabilities();

    /**
     * What a health probe (model discovery) asks, for operators' messages: the model-list URL,
     * or a word when there is no network involved. Never contains a key.
     */
    default String probeTarget() {
        return baseUrl() != null ? baseUrl() : name();
    }

    default CompletableFuture<List<ModelInfo>> listModels() {
        return unsupported(Capability.MODEL_LIST);
    }

    default CompletableFuture<ChatCompletionResponse> chat(ChatCompletionRequest request) {
        return unsupported(Capability.CHAT);
    }

    default StreamHandle streamChat(ChatCompletionRequest request, StreamObserver<ChatCompletionChunk> observer) {
        observer.onError(unsupportedError(Capability.CHAT));
        return () -> {};
    }

    default CompletableFuture<CompletionResponse> completions(CompletionRequest request) {
        return unsupported(Capability.COMPLETIONS);
    }

    default StreamHandle streamCompletions(CompletionRequest request, StreamObserver<CompletionResponse> observer) {
        observer.onError(unsupportedError(Capability.COMPLETIONS));
        return () -> {};
    }

    default CompletableFuture<EmbeddingResponse> embeddings(EmbeddingRequest request) {
        return unsupported(Capability.EMBEDDINGS);
    }

    default CompletableFuture<ImageResponse> images(ImageRequest request) {
        return unsupported(Capability.IMAGES);
    }

    /**
     * Anthropic's Messages API, when this provider speaks it as its own protocol (an ingress of
     * that API then passes requests through rather than translating them to chat); empty for the
     * rest. Decorators must forward it.
     */
    default Optional<NativeMessages> nativeMessages() {
        return Optional.empty();
    }

    /**
     * Whether the upstream serves OpenAI's Responses API itself, so {@code /v1/responses} passes
     * through to it ({@link #responses}, {@link #streamResponses}) rather than being translated to
     * chat. False unless the adapter says otherwise.
     */
    default boolean speaksResponses() {
        return false;
    }

    /**
     * A Responses API call passed through: {@code request} is the client's body with the upstream
     * model set; the response comes back as the upstream wrote it.
     */
    default CompletableFuture<ObjectNode> responses(ObjectNode request) {
        return CompletableFuture.failedFuture(unsupportedResponses());
    }

    /**
     * A streamed Responses API call passed through: each event's JSON object (its {@code type}
     * names the event) as it arrives.
     */
    default StreamHandle streamResponses(ObjectNode request, StreamObserver<ObjectNode> observer) {
        observer.onError(unsupportedResponses());
        return () -> {};
    }

    /** Releases what the provider holds. The registry calls it once, at shutdown. */
    @Override
    default void close() {}

    private <T> CompletableFuture<T> unsupported(Capability capability) {
        return CompletableFuture.failedFuture(unsupportedError(capability));
    }

    private ProviderException unsupportedResponses() {
        return new ProviderException(
                ProviderException.Kind.UNSUPPORTED, name(), "Provider " + name() + " does not serve the Responses API");
    }

    private ProviderException unsupportedError(Capability capability) {
        return new ProviderException(
                ProviderException.Kind.UNSUPPORTED,
                name(),
                "Provider " + name() + " does not support " + capability.label());
    }
}
