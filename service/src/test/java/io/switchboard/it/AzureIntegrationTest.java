package io.switchboard.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.errors.NotFoundException;
import com.openai.errors.RateLimitException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.images.ImageGenerateParams;
import com.openai.models.models.Model;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.ResourceHelpers;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.switchboard.SwitchboardApplication;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.testing.Behavior;
import io.switchboard.testing.FakeUpstream;
import io.switchboard.testing.OpenAiWire;
import io.switchboard.testing.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Azure OpenAI through the gateway: the exact deployment URL, {@code api-version}, {@code api-key}
 * header and body that reach a fake Azure upstream on loopback, and Azure's answers relayed.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class AzureIntegrationTest {

    private static final String CHAT = "/openai/deployments/prod-gpt4o/chat/completions";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final FakeUpstream UPSTREAM = FakeUpstream.start();
    private static final DropwizardAppExtension<SwitchboardConfiguration> APP = new DropwizardAppExtension<>(
            SwitchboardApplication.class,
            ResourceHelpers.resourceFilePath("azure-test-config.yml"),
            ConfigOverride.config("providers[0].endpoint", UPSTREAM::baseUrl),
            ConfigOverride.config("providers[1].endpoint", () -> UPSTREAM.baseUrl() + "/"));

    private OpenAIClient client;

    @BeforeEach
    void setUp() {
        UPSTREAM.reset();
        client = GatewayFixture.openAi(APP);
    }

    @AfterAll
    static void stopUpstream() {
        UPSTREAM.close();
    }

    @Test
    void modelsAreTheConfiguredDeploymentsWithoutAskingAzure() {
        List<String> ids = client.models().list().data().stream().map(Model::id).toList();

        assertThat(ids)
                .containsExactly(
                        "azure-eu/gpt-35-turbo-instruct",
                        "azure-eu/o4-mini",
                        "azure/dall-e-3",
                        "azure/gpt-4o",
                        "azure/text-embedding-3-small");
        assertThat(UPSTREAM.requests()).isEmpty();
    }

    @Test
    void chatGoesToTheDeploymentWithApiVersionAndApiKeyAndTheBodyUntouched() throws Exception {
        UPSTREAM.on("POST", CHAT, Behavior.json(200, OpenAiWire.chatCompletion("gpt-4o-2024-11-20", "Bonjour")));
        String body =
                "{\"model\":\"azure/gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello in French\"}],"
                        + "\"temperature\":0.1,\"data_sources\":[{\"type\":\"azure_search\",\"parameters\":{\"index_name\":\"docs\"}}]}";

        var response = GatewayFixture.postJson(APP, "/v1/chat/completions", body);

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode answer = JSON.readTree(response.body());
        assertThat(answer.path("model").asText()).isEqualTo("azure/gpt-4o");
        assertThat(answer.path("choices").get(0).path("message").path("content").asText())
                .isEqualTo("Bonjour");
        assertThat(answer.path("system_fingerprint").asText()).isEqualTo(OpenAiWire.SYSTEM_FINGERPRINT);

        RecordedRequest sent = UPSTREAM.lastRequest(CHAT);
        assertThat(sent.method()).isEqualTo("POST");
        assertThat(sent.query()).isEqualTo("api-version=2024-10-21");
        assertThat(sent.header("api-key")).isEqualTo("azure-test-key");
        assertThat(sent.header("authorization")).isNull();
        assertThat(sent.header("x-ms-client-request-id")).isEqualTo("switchboard-tests");
        assertThat(sent.header("content-type")).startsWith("application/json");
        // Exactly the client's body, model aside: no "stream" it did not send.
        assertThat(sent.bodyJson())
                .isEqualTo(JSON.readTree("{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\","
                        + "\"content\":\"Say hello in French\"}],\"temperature\":0.1,"
                        + "\"data_sources\":[{\"type\":\"azure_search\",\"parameters\":{\"index_name\":\"docs\"}}]}"));
    }

    @Test
    void streamsAreRelayedChunkByChunk() {
        UPSTREAM.on(
                "POST",
                CHAT,
                Behavior.sse(OpenAiWire.chatStream("gpt-4o", List.of("Bon", "jour"), false), Duration.ofMillis(20)));

        var text = new StringBuilder();
        try (var stream = client.chat()
                .completions()
                .createStreaming(ChatCompletionCreateParams.builder()
                        .model("azure/gpt-4o")
                        .addUserMessage("hi")
                        .build())) {
            stream.stream()
                    .forEach(chunk ->
                            chunk.choices().forEach(c -> c.delta().content().ifPresent(text::append)));
        }

        assertThat(text.toString()).isEqualTo("Bonjour");
        assertThat(UPSTREAM.lastRequest(CHAT).bodyJson().path("stream").asBoolean())
                .isTrue();
        assertThat(UPSTREAM.lastRequest(CHAT).query()).isEqualTo("api-version=2024-10-21");
    }

    @Test
    // The SDK deprecates response_format (DALL-E's); Azure's DALL-E deployments still take it.
    @SuppressWarnings("deprecation")
    void embeddingsImagesAndCompletionsGoToTheirDeployments() {
        UPSTREAM.on(
                "POST",
                "/openai/deployments/embed-small/embeddings",
                Behavior.json(200, OpenAiWire.embeddings("text-embedding-3-small", 1, 4)));
        UPSTREAM.on(
                "POST",
                "/openai/deployments/dalle/images/generations",
                Behavior.json(200, OpenAiWire.imagesB64("AAAA")));
        UPSTREAM.on(
                "POST",
                "/openai/deployments/gpt-35-turbo-instruct/completions",
                Behavior.json(200, OpenAiWire.completion("gpt-35-turbo-instruct", "done")));

        var embedding = client.embeddings()
                .create(EmbeddingCreateParams.builder()
                        .model("azure/text-embedding-3-small")
                        .input("hi")
                        .encodingFormat(EmbeddingCreateParams.EncodingFormat.FLOAT)
                        .build());
        var image = client.images()
                .generate(ImageGenerateParams.builder()
                        .model("azure/dall-e-3")
                        .prompt("a fox")
                        .responseFormat(ImageGenerateParams.ResponseFormat.B64_JSON)
                        .build());
        var completion = client.completions()
                .create(CompletionCreateParams.builder()
                        .model("azure-eu/gpt-35-turbo-instruct")
                        .prompt("Say done")
                        .build());

        assertThat(embedding.data().get(0).embedding()).hasSize(4);
        assertThat(image.data().orElseThrow().get(0).b64Json()).contains("AAAA");
        assertThat(completion.choices().get(0).text()).isEqualTo("done");
        assertThat(UPSTREAM.lastRequest("/openai/deployments/embed-small/embeddings")
                        .query())
                .isEqualTo("api-version=2024-10-21");
        assertThat(UPSTREAM.lastRequest("/openai/deployments/dalle/images/generations")
                        .header("api-key"))
                .isEqualTo("azure-test-key");
        RecordedRequest legacy = UPSTREAM.lastRequest("/openai/deployments/gpt-35-turbo-instruct/completions");
        assertThat(legacy.query()).isEqualTo("api-version=2025-04-01-preview");
        assertThat(legacy.header("api-key")).isEqualTo("azure-eu-key");
        assertThat(legacy.bodyJson().path("model").asText()).isEqualTo("gpt-35-turbo-instruct");
    }

    @Test
    void azureErrorsKeepTheirStatusCodeAndRetryAfter() {
        UPSTREAM.on(
                "POST",
                CHAT,
                Behavior.json(
                        404,
                        "{\"error\":{\"code\":\"DeploymentNotFound\",\"message\":\"The API "
                                + "deployment for this resource does not exist. If you created the deployment within the last 5 minutes,"
                                + " please wait a moment and try again.\"}}"));
        var params = ChatCompletionCreateParams.builder()
                .model("azure/gpt-4o")
                .addUserMessage("hi")
                .build();

        assertThatThrownBy(() -> client.chat().completions().create(params))
                .isInstanceOfSatisfying(NotFoundException.class, e -> {
                    assertThat(e.code()).contains("DeploymentNotFound");
                    assertThat(e.getMessage()).contains("azure: The API deployment for this resource does not exist.");
                });

        UPSTREAM.on(
                "POST",
                CHAT,
                Behavior.json(
                        429,
                        "{\"error\":{\"code\":\"429\",\"message\":\"Requests to the "
                                + "ChatCompletions_Create Operation under Azure OpenAI API version 2024-10-21 have exceeded token rate "
                                + "limit of your current OpenAI S0 pricing tier. Please retry after 6 seconds.\"}}",
                        Map.of("Retry-After", "6")));

        assertThatThrownBy(() -> client.chat().completions().create(params))
                .isInstanceOfSatisfying(RateLimitException.class, e -> {
                    assertThat(e.headers().values("retry-after")).containsExactly("6");
                    assertThat(e.getMessage()).contains("Please retry after 6 seconds.");
                });
    }
}
