package io.switchboard.it;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.switchboard.SwitchboardConfiguration;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The official anthropic-java SDK pointed at a gateway under test, and what one stream through it gave. */
final class AnthropicSdk {

    private AnthropicSdk() {}

    /** A client of the gateway's Messages API with the SDK's own retries off. */
    static AnthropicClient client(DropwizardAppExtension<SwitchboardConfiguration> app, String key) {
        return AnthropicOkHttpClient.builder()
                .baseUrl(GatewayFixture.baseUrl(app))
                .apiKey(key)
                .maxRetries(0)
                .timeout(Duration.ofSeconds(20))
                .build();
    }

    /** A stream's event types in the order the SDK saw them, and the message they add up to. */
    record Streamed(List<String> types, Message message) {}

    static Streamed stream(AnthropicClient client, MessageCreateParams params) {
        var types = new ArrayList<String>();
        var accumulator = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> stream = client.messages().createStreaming(params)) {
            stream.stream().forEach(event -> {
                types.add(type(event));
                accumulator.accumulate(event);
            });
        }
        return new Streamed(types, accumulator.message());
    }

    /**
     * The event types of a stream that answers with one text block in {@code deltas} pieces, as
     * the SDK shows them (it drops {@code ping}).
     */
    static List<String> oneTextBlock(int deltas) {
        var types = new ArrayList<String>(List.of("message_start", "content_block_start"));
        for (int i = 0; i < deltas; i++) {
            types.add("content_block_delta");
        }
        types.addAll(List.of("content_block_stop", "message_delta", "message_stop"));
        return types;
    }

    /** The event's {@code type} as it was on the wire. */
    static String type(RawMessageStreamEvent event) {
        if (event.isMessageStart()) {
            return "message_start";
        } else if (event.isContentBlockStart()) {
            return "content_block_start";
        } else if (event.isContentBlockDelta()) {
            return "content_block_delta";
        } else if (event.isContentBlockStop()) {
            return "content_block_stop";
        } else if (event.isMessageDelta()) {
            return "message_delta";
        } else if (event.isMessageStop()) {
            return "message_stop";
        }
        throw new AssertionError("an event the SDK does not know: " + event);
    }
}
