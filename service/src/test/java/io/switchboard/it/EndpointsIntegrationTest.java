package io.switchboard.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.images.ImageGenerateParams;
import com.openai.models.models.Model;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.testing.Behavior;
import io.switchboard.testing.FakeUpstream;
import io.switchboard.testing.OpenAiWire;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.imageio.ImageIO;

import static org.assertj.core.api.Assertions.assertThat;

/** Models, providers, embeddings, images, legacy completions and the admin refresh task. */
@ExtendWith(DropwizardExtensionsSupport.class)
class EndpointsIntegrationTest {

    private static final FakeUpstream UPSTREAM = GatewayFixture.startUpstream();
    private static final DropwizardAppExtension<SwitchboardConfiguration> APP = GatewayFixture.app(UPSTREAM);
    private static final ObjectMapper JSON = new ObjectMapper();

    private OpenAIClient client;

    @BeforeEach
    void setUp() {
        UPSTREAM.reset();
        GatewayFixture.listModels(UPSTREAM);
        client = GatewayFixture.openAi(APP);
    }

    @AfterAll
    static void stopUpstream() {
        UPSTREAM.close();
    }

    @Test
    void modelListHasProviderQualifiedIdsAndAliasesSortedAndUnique() {
        List<String> ids = client.models().list().data().stream().map(Model::id).toList();

        assertThat(ids)
                .containsExactly(
                        "builtin/echo",
                        "builtin/embedding",
                        "builtin/image",
                        "echo",
                        "fake/dall-e-3",
                        "fake/gpt-3.5-turbo-instruct",
                        "fake/gpt-4o",
                        "fake/gpt-4o-mini",
                        "fake/meta-llama/llama-3-8b-instruct",
                        "fake/text-embedding-3-small",
                        "smart");
        Model model = client.models().list().data().stream()
                .filter(m -> m.id().equals("fake/gpt-4o"))
                .findFirst()
                .orElseThrow();
        assertThat(model.created()).as("the upstream's own creation time").isEqualTo(1686935002L);
        assertThat(model.ownedBy()).isNotBlank();
    }

    @Test
    void oneModelByIdWithSlashesEncodedOrNot() throws Exception {
        assertThat(client.models()
                        .retrieve("fake/meta-llama/llama-3-8b-instruct")
                        .id())
                .isEqualTo("fake/meta-llama/llama-3-8b-instruct");
        assertThat(client.models().retrieve("smart").id()).isEqualTo("smart");

        var plain = GatewayFixture.get(APP, "/v1/models/fake/meta-llama/llama-3-8b-instruct");
        assertThat(plain.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(plain.body()).get("object").asText()).isEqualTo("model");

        var missing = GatewayFixture.get(APP, "/v1/models/fake/nope");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(missing.body()).get("error").get("code").asText())
                .isEqualTo("model_not_found");
    }

    @Test
    void providersShowStatusAndModelsButNoSecret() throws Exception {
        var response = GatewayFixture.get(APP, "/v1/providers");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).doesNotContain("sk-test-upstream-secret").doesNotContain("fixed-value");
        var providers = new ArrayList<JsonNode>();
        JSON.readTree(response.body()).get("data").forEach(providers::add);
        assertThat(providers)
                .extracting(p -> p.get("name").asText())
                .containsExactly("builtin", "fake", "nokey", "down");
        assertThat(providers).extracting(p -> p.get("status").asText()).containsExactly("up", "up", "disabled", "down");
        assertThat(providers.get(1).get("model_count").asInt()).isEqualTo(GatewayFixture.FAKE_MODELS.length);
        assertThat(providers.get(1).get("base_url").asText()).isEqualTo(UPSTREAM.baseUrl() + "/v1");
        assertThat(providers.get(2).get("error").asText()).contains("apiKey is empty");
        assertThat(providers.get(3).get("error").asText()).contains("Cannot reach http://127.0.0.1:1/v1/models");
    }

    @Test
    void embeddingsFromUpstreamAndBuiltin() {
        UPSTREAM.on(
                "POST", "/v1/embeddings", Behavior.json(200, OpenAiWire.embeddings("text-embedding-3-small", 2, 3)));

        var upstream = client.embeddings()
                .create(EmbeddingCreateParams.builder()
                        .model("fake/text-embedding-3-small")
                        .inputOfArrayOfStrings(List.of("a", "b"))
                        .encodingFormat(EmbeddingCreateParams.EncodingFormat.FLOAT)
                        .build());
        assertThat(upstream.data()).hasSize(2);
        assertThat(upstream.model()).isEqualTo("fake/text-embedding-3-small");
        assertThat(upstream.data().get(1).embedding().get(2)).isEqualTo(OpenAiWire.embeddingValue(1, 2));
        assertThat(UPSTREAM.lastRequest("/v1/embeddings")
                        .bodyJson()
                        .get("model")
                        .asText())
                .isEqualTo("text-embedding-3-small");

        // The SDK asks for base64 by default and decodes it: the builtin must speak that too.
        var builtin = client.embeddings()
                .create(EmbeddingCreateParams.builder()
                        .model("builtin/embedding")
                        .input("hello world")
                        .dimensions(8)
                        .build());
        assertThat(builtin.data().get(0).embedding()).hasSize(8);
        double norm = builtin.data().get(0).embedding().stream()
                .mapToDouble(v -> v * v)
                .sum();
        assertThat(norm).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
        assertThat(builtin.usage().promptTokens()).isEqualTo(2);
    }

    @Test
    // The SDK deprecates response_format and the 256x256 size (DALL-E's); the gateway still serves
    // both, and this is the client that sends them.
    @SuppressWarnings("deprecation")
    void imagesFromTheBuiltinAreRealPngs() throws Exception {
        var b64 = client.images()
                .generate(ImageGenerateParams.builder()
                        .model("builtin/image")
                        .prompt("a lighthouse at dusk")
                        .size(ImageGenerateParams.Size._256X256)
                        .responseFormat(ImageGenerateParams.ResponseFormat.B64_JSON)
                        .build());
        byte[] png = Base64.getDecoder()
                .decode(b64.data().orElseThrow().get(0).b64Json().orElseThrow());
        var image = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(image.getWidth()).isEqualTo(256);
        assertThat(image.getHeight()).isEqualTo(256);

        var url = client.images()
                .generate(ImageGenerateParams.builder()
                        .model("builtin/image")
                        .prompt("a lighthouse at dusk")
                        .size(ImageGenerateParams.Size._256X256)
                        .build());
        assertThat(url.data().orElseThrow().get(0).url().orElseThrow()).startsWith("data:image/png;base64,");
    }

    @Test
    void imagesFromUpstreamPassThrough() {
        UPSTREAM.on("POST", "/v1/images/generations", Behavior.json(200, OpenAiWire.imagesB64("aGVsbG8=")));

        var response = client.images()
                .generate(ImageGenerateParams.builder()
                        .model("fake/dall-e-3")
                        .prompt("x")
                        .putAdditionalBodyProperty("style", JsonValue.from("vivid"))
                        .build());

        assertThat(response.data().orElseThrow().get(0).b64Json()).contains("aGVsbG8=");
        JsonNode sent = UPSTREAM.lastRequest("/v1/images/generations").bodyJson();
        assertThat(sent.get("model").asText()).isEqualTo("dall-e-3");
        assertThat(sent.get("style").asText()).isEqualTo("vivid");
    }

    @Test
    void legacyCompletionsStreamedAndNot() {
        UPSTREAM.on(
                "POST",
                "/v1/completions",
                Behavior.json(200, OpenAiWire.completion("gpt-3.5-turbo-instruct", "This is indeed a test")));

        var completion = client.completions()
                .create(CompletionCreateParams.builder()
                        .model("fake/gpt-3.5-turbo-instruct")
                        .prompt("Say this is a test")
                        .maxTokens(7)
                        .build());
        assertThat(completion.choices().get(0).text()).isEqualTo("This is indeed a test");
        assertThat(completion.model()).isEqualTo("fake/gpt-3.5-turbo-instruct");

        var text = new StringBuilder();
        try (var stream = client.completions()
                .createStreaming(CompletionCreateParams.builder()
                        .model("builtin/echo")
                        .prompt("say it back")
                        .build())) {
            stream.stream().forEach(chunk -> {
                assertThat(chunk.model()).isEqualTo("builtin/echo");
                chunk.choices().forEach(choice -> text.append(choice.text()));
            });
        }
        assertThat(text.toString()).isEqualTo("say it back");
    }

    @Test
    void adminTaskRefreshesDiscovery() throws Exception {
        UPSTREAM.on("GET", "/v1/models", Behavior.json(200, OpenAiWire.models("gpt-4o", "brand-new-model")));
        var request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + APP.getAdminPort() + "/tasks/refresh-providers"))
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build();

        var response = GatewayFixture.HTTP.send(request, HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("fake up models=2").contains("down down");
        assertThat(client.models().retrieve("fake/brand-new-model").id()).isEqualTo("fake/brand-new-model");
        // Put the usual list back for the other tests.
        GatewayFixture.listModels(UPSTREAM);
        GatewayFixture.HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
