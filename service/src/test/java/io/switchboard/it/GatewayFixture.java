package io.switchboard.it;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.ResourceHelpers;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.switchboard.SwitchboardApplication;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.testing.Behavior;
import io.switchboard.testing.FakeUpstream;
import io.switchboard.testing.OpenAiWire;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway under test, booted from {@code test-config.yml} with its {@code fake} provider
 * pointed at a fake OpenAI upstream on loopback, plus the clients tests talk to it with.
 */
final class GatewayFixture {

    /** Models the fake upstream lists, so discovery finds them at startup. */
    static final String[] FAKE_MODELS = {
        "gpt-4o",
        "gpt-4o-mini",
        "text-embedding-3-small",
        "dall-e-3",
        "gpt-3.5-turbo-instruct",
        "meta-llama/llama-3-8b-instruct"
    };

    private GatewayFixture() {}

    /** A fake upstream that lists {@link #FAKE_MODELS}; start it before the app. */
    static FakeUpstream startUpstream() {
        var upstream = FakeUpstream.start();
        listModels(upstream);
        return upstream;
    }

    static void listModels(FakeUpstream upstream) {
        upstream.on("GET", "/v1/models", Behavior.json(200, OpenAiWire.models(FAKE_MODELS)));
    }

    static DropwizardAppExtension<SwitchboardConfiguration> app(FakeUpstream upstream, ConfigOverride... more) {
        return app(upstream, "test-config.yml", more);
    }

    /** The gateway booted from another test config, whose {@code providers[1]} is the fake upstream. */
    static DropwizardAppExtension<SwitchboardConfiguration> app(
            FakeUpstream upstream, String configResource, ConfigOverride... more) {
        var overrides = new ConfigOverride[more.length + 1];
        overrides[0] = ConfigOverride.config("providers[1].baseUrl", () -> upstream.baseUrl() + "/v1");
        System.arraycopy(more, 0, overrides, 1, more.length);
        return new DropwizardAppExtension<>(
                SwitchboardApplication.class, ResourceHelpers.resourceFilePath(configResource), overrides);
    }

    /** A streamed chat as the SDK saw it: the text, the accumulated completion, when each chunk came. */
    record Streamed(String text, ChatCompletion completion, List<Long> arrivalsMillis, long totalMillis) {}

    /** Streams {@code params} with the SDK, checking every chunk names {@code model}. */
    static Streamed streamChat(OpenAIClient client, ChatCompletionCreateParams params, String model) {
        var arrivals = new ArrayList<Long>();
        var text = new StringBuilder();
        var accumulator = ChatCompletionAccumulator.create();
        long start = System.nanoTime();
        try (StreamResponse<ChatCompletionChunk> stream =
                client.chat().completions().createStreaming(params)) {
            stream.stream().forEach(chunk -> {
                arrivals.add((System.nanoTime() - start) / 1_000_000);
                accumulator.accumulate(chunk);
                assertThat(chunk.model()).isEqualTo(model);
                chunk.choices().forEach(choice -> choice.delta().content().ifPresent(text::append));
            });
        }
        return new Streamed(
                text.toString(), accumulator.chatCompletion(), arrivals, (System.nanoTime() - start) / 1_000_000);
    }

    static String baseUrl(DropwizardAppExtension<SwitchboardConfiguration> app) {
        return "http://127.0.0.1:" + app.getLocalPort();
    }

    /** The official OpenAI SDK, pointed at the gateway, with its own retries off. */
    static OpenAIClient openAi(DropwizardAppExtension<SwitchboardConfiguration> app) {
        return OpenAIOkHttpClient.builder()
                .baseUrl(baseUrl(app) + "/v1")
                .apiKey("sk-client-key")
                .maxRetries(0)
                .timeout(Duration.ofSeconds(20))
                .build();
    }

    static HttpResponse<String> post(
            DropwizardAppExtension<SwitchboardConfiguration> app, String path, String contentType, String body)
            throws Exception {
        var request = HttpRequest.newBuilder(URI.create(baseUrl(app) + path))
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> postJson(DropwizardAppExtension<SwitchboardConfiguration> app, String path, String body)
            throws Exception {
        return post(app, path, "application/json", body);
    }

    static HttpResponse<String> get(DropwizardAppExtension<SwitchboardConfiguration> app, String path)
            throws Exception {
        var request = HttpRequest.newBuilder(URI.create(baseUrl(app) + path))
                .timeout(Duration.ofSeconds(20))
                .GET()
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
}
