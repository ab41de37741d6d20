package io.switchboard.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.testing.FakeUpstream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code /openapi.json}, {@code /openapi.yaml} and the offline Swagger UI at {@code /docs}. */
@ExtendWith(DropwizardExtensionsSupport.class)
class ApiDocsIntegrationTest {

    private static final FakeUpstream UPSTREAM = GatewayFixture.startUpstream();
    private static final DropwizardAppExtension<SwitchboardConfiguration> APP = GatewayFixture.app(
            UPSTREAM,
            ConfigOverride.config("gateway.api.title", "Acme LLM Gateway"),
            ConfigOverride.config("gateway.api.description", "Acme's models behind one API."),
            ConfigOverride.config("gateway.api.version", "7.3.1-test"));

    private static final List<Integer> ROUTED_ERRORS = List.of(400, 404, 413, 415, 429, 502, 503, 504);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern ASSET = Pattern.compile("(?:src|href)=\"([^\"]+)\"");

    @AfterAll
    static void stopUpstream() {
        UPSTREAM.close();
    }

    @Test
    void openApiJsonIsAValidDocumentWithTheConfiguredInfo() throws Exception {
        var response = GatewayFixture.get(APP, "/openapi.json");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        var parsed = new OpenAPIV3Parser().readContents(response.body());
        assertThat(parsed.getMessages())
                .as("what the OpenAPI parser found wrong")
                .isEmpty();
        OpenAPI document = parsed.getOpenAPI();
        assertThat(document.getOpenapi()).startsWith("3.");
        assertThat(document.getInfo().getTitle()).isEqualTo("Acme LLM Gateway");
        assertThat(document.getInfo().getDescription()).isEqualTo("Acme's models behind one API.");
        assertThat(document.getInfo().getVersion()).isEqualTo("7.3.1-test");
        assertThat(document.getServers())
                .singleElement()
                .satisfies(server -> assertThat(server.getUrl()).isEqualTo("/"));
        assertThat(document.getPaths().keySet().stream().filter(path -> path.startsWith("/v1/")))
                .as("the /v1 API (no health check, no docs)")
                .containsExactlyInAnyOrder(
                        "/v1/chat/completions",
                        "/v1/completions",
                        "/v1/embeddings",
                        "/v1/images/generations",
                        "/v1/messages",
                        "/v1/messages/count_tokens",
                        "/v1/models",
                        "/v1/models/{id}",
                        "/v1/providers",
                        "/v1/responses",
                        "/v1/responses/{id}",
                        "/v1/responses/{id}/input_items");
        assertThat(document.getPaths())
                .as("the rest is the admin port's API, served there")
                .allSatisfy((path, item) -> {
                    if (!path.startsWith("/v1/")) {
                        assertThat(path).startsWith("/api/");
                        assertThat(item.getServers())
                                .singleElement()
                                .satisfies(server -> assertThat(server.getUrl()).startsWith("http://127.0.0.1:"));
                    }
                });
        assertThat(document.getPaths()).containsKey("/api/providers");
        assertThat(response.body()).doesNotContain("sk-test-upstream-secret");
    }

    @Test
    void openApiYamlIsTheSameDocument() throws Exception {
        var json = new OpenAPIV3Parser()
                .readContents(GatewayFixture.get(APP, "/openapi.json").body())
                .getOpenAPI();
        var response = GatewayFixture.get(APP, "/openapi.yaml");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/yaml"));
        var yaml = new OpenAPIV3Parser().readContents(response.body());
        assertThat(yaml.getMessages()).isEmpty();
        assertThat(yaml.getOpenAPI()).isEqualTo(json);
    }

    @Test
    void everyOperationHasItsOpenAiOperationIdRequestAndResponses() throws Exception {
        OpenAPI document = document();
        Map<String, Operation> operations = operationsById(document);

        assertThat(operations.keySet().stream().filter(id -> !id.startsWith("admin")))
                .containsExactlyInAnyOrder(
                        "createChatCompletion",
                        "createCompletion",
                        "createEmbedding",
                        "createImage",
                        "createMessage",
                        "countMessageTokens",
                        "listModels",
                        "retrieveModel",
                        "listProviders",
                        "createResponse",
                        "getResponse",
                        "deleteResponse",
                        "listInputItems");
        assertThat(operations.get("createChatCompletion").getTags()).containsExactly("Chat");
        assertThat(operations.get("retrieveModel").getTags()).containsExactly("Models");
        assertThat(operations.values())
                .allSatisfy(operation -> assertThat(operation.getSummary()).isNotBlank());

        assertPost(
                document,
                operations.get("createChatCompletion"),
                "ChatCompletionRequest",
                "ChatCompletionResponse",
                "ChatCompletionChunk");
        assertPost(
                document,
                operations.get("createCompletion"),
                "CompletionRequest",
                "CompletionResponse",
                "CompletionResponse");
        assertPost(document, operations.get("createEmbedding"), "EmbeddingRequest", "EmbeddingResponse", null);
        assertPost(document, operations.get("createImage"), "ImageRequest", "ImageResponse", null);

        var listModels = operations.get("listModels");
        assertThat(listModels.getRequestBody()).isNull();
        assertThat(listModels.getResponses().keySet()).containsExactly("200");
        Schema<?> modelList = component(
                document, jsonSchema(listModels.getResponses().get("200")).get$ref());
        assertThat(modelList.getProperties()).containsKeys("object", "data");
        assertThat(modelList.getProperties().get("data").getItems().get$ref()).isEqualTo("#/components/schemas/Model");

        var retrieveModel = operations.get("retrieveModel");
        assertThat(retrieveModel.getParameters()).singleElement().satisfies(parameter -> {
            assertThat(parameter.getName()).isEqualTo("id");
            assertThat(parameter.getIn()).isEqualTo("path");
        });
        assertThat(jsonSchema(retrieveModel.getResponses().get("200")).get$ref())
                .isEqualTo("#/components/schemas/Model");
        assertThat(retrieveModel.getResponses().keySet()).containsExactly("200", "400", "404");
        assertErrorResponse(document, retrieveModel.getResponses().get("400"));
        assertErrorResponse(document, retrieveModel.getResponses().get("404"));

        var listProviders = operations.get("listProviders");
        Schema<?> providerList = component(
                document, jsonSchema(listProviders.getResponses().get("200")).get$ref());
        assertThat(providerList.getProperties().get("data").getItems().get$ref())
                .isEqualTo("#/components/schemas/ProviderView");
        assertThat(component(document, "#/components/schemas/ProviderView").getProperties())
                .containsKeys(
                        "name",
                        "type",
                        "base_url",
                        "status",
                        "error",
                        "model_count",
                        "models",
                        "discovery_latency_ms",
                        "checked_at");
    }

    @Test
    void theApiOperationsNeedABearerKeySoSwaggerUiOffersAuthorize() throws Exception {
        OpenAPI document = document();

        var scheme = document.getComponents().getSecuritySchemes().get("ApiKeyAuth");
        assertThat(scheme)
                .as("the bearer scheme Swagger UI's Authorize button comes from")
                .isNotNull();
        assertThat(scheme.getType()).isEqualTo(SecurityScheme.Type.HTTP);
        assertThat(scheme.getScheme()).isEqualTo("bearer");
        assertThat(scheme.getDescription()).contains("SWITCHBOARD_API_KEYS");
        document.getPaths()
                .forEach((path, item) -> assertThat(item.readOperations())
                        .as(path)
                        .allSatisfy(operation -> assertThat(operation.getSecurity())
                                .as(operation.getOperationId())
                                .isEqualTo(
                                        path.startsWith("/v1/")
                                                ? List.of(new SecurityRequirement().addList("ApiKeyAuth"))
                                                : null)));
        assertThat(document.getPaths()).isNotEmpty();
    }

    @Test
    void schemasDescribeTheWireFormat() throws Exception {
        OpenAPI document = document();
        var schemas = document.getComponents().getSchemas();

        Schema<?> chat = schemas.get("ChatCompletionRequest");
        assertThat(chat.getRequired()).containsExactlyInAnyOrder("model", "messages");
        assertThat(chat.getProperties())
                .containsKeys(
                        "model",
                        "messages",
                        "stream",
                        "stream_options",
                        "temperature",
                        "top_p",
                        "n",
                        "max_tokens",
                        "max_completion_tokens",
                        "stop",
                        "tools",
                        "tool_choice");
        assertThat(chat.getProperties())
                .as("unknown fields are the object's own, not a property")
                .doesNotContainKey("extra");
        assertThat(chat.getAdditionalProperties()).isEqualTo(true);
        assertThat(chat.getProperties().get("stop").getType())
                .as("a string or an array: any JSON value")
                .isNull();
        assertThat(chat.getProperties().get("stop").get$ref()).isNull();
        assertThat(schemas).as("JsonNode is not a type on the wire").doesNotContainKey("JsonNode");

        Schema<?> message = schemas.get("ChatMessage");
        assertThat(message.getProperties()).containsKeys("role", "content", "tool_calls", "tool_call_id");
        assertThat(required(schemas.get("CompletionRequest"))).containsExactlyInAnyOrder("model", "prompt");
        assertThat(required(schemas.get("EmbeddingRequest"))).containsExactlyInAnyOrder("model", "input");
        assertThat(required(schemas.get("ImageRequest"))).containsExactlyInAnyOrder("model", "prompt");

        Schema<?> error = schemas.get("ErrorResponse");
        assertThat(error.getRequired()).containsExactly("error");
        Schema<?> detail =
                component(document, error.getProperties().get("error").get$ref());
        assertThat(detail.getRequired()).containsExactlyInAnyOrder("message", "type", "param", "code");
        assertThat(detail.getProperties().get("param").getNullable()).isTrue();
        assertThat(detail.getProperties().get("code").getNullable()).isTrue();
        assertThat(document.getComponents().getResponses().get("RateLimited").getHeaders())
                .containsKey("Retry-After");
    }

    @Test
    void docsRedirectsToTheDirectorySoRelativeLinksResolve() throws Exception {
        var response = GatewayFixture.get(APP, "/docs");

        assertThat(response.statusCode()).isEqualTo(302);
        assertThat(response.headers().firstValue("Location"))
                .hasValueSatisfying(location -> assertThat(URI.create(GatewayFixture.baseUrl(APP) + "/docs")
                                .resolve(location)
                                .getPath())
                        .isEqualTo("/docs/"));
    }

    @Test
    void aMissingFileUnderDocsIsAJsonNotFound() throws Exception {
        for (String path :
                List.of("/docs/nope.js", "/docs/swagger-ui/nope.js", "/docs/swagger-ui/missing/deeper.css")) {
            var response = GatewayFixture.get(APP, path);

            assertThat(response.statusCode()).as(path).isEqualTo(404);
            assertThat(response.headers().firstValue("Content-Type"))
                    .as(path)
                    .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
            var error = JSON.readTree(response.body()).get("error");
            assertThat(error.get("message").asText()).as(path).isEqualTo("Invalid URL (GET " + path + ")");
            assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
            assertThat(error.get("code").asText()).isEqualTo("unknown_url");
            assertThat(error.has("param")).isTrue();
            assertThat(response.headers().firstValue("X-Request-Id")).as(path).isPresent();
        }
        // The files that are there still are.
        assertThat(GatewayFixture.get(APP, "/docs/").statusCode()).isEqualTo(200);
    }

    @Test
    void docsPageLoadsSwaggerUiFromThisServerOnly() throws Exception {
        var page = GatewayFixture.get(APP, "/docs/");

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("text/html"));
        assertThat(page.body()).contains("<div id=\"swagger-ui\">");
        assertThat(page.body()).doesNotContain("http://", "https://", "//cdn", "unpkg", "jsdelivr");
        var assets = ASSET.matcher(page.body())
                .results()
                .map(match -> match.group(1))
                .toList();
        assertThat(assets)
                .contains("swagger-ui/swagger-ui-bundle.js", "swagger-ui/swagger-ui.css", "swagger-initializer.js");

        var docs = URI.create(GatewayFixture.baseUrl(APP) + "/docs/");
        for (String asset : assets) {
            URI url = docs.resolve(asset);
            assertThat(url.getAuthority()).as(asset + " is on this server").isEqualTo(docs.getAuthority());
            var fetched = GatewayFixture.get(APP, url.getPath());
            assertThat(fetched.statusCode()).as(asset).isEqualTo(200);
            assertThat(fetched.body()).as(asset).isNotEmpty();
            if (asset.endsWith(".js")) {
                assertThat(fetched.headers().firstValue("Content-Type"))
                        .as(asset)
                        .hasValueSatisfying(type -> assertThat(type).contains("javascript"));
            } else if (asset.endsWith(".css")) {
                assertThat(fetched.headers().firstValue("Content-Type"))
                        .as(asset)
                        .hasValueSatisfying(type -> assertThat(type).startsWith("text/css"));
            }
        }
    }

    @Test
    void swaggerUiIsPointedAtThisGatewaysDocumentAndNothingOnline() throws Exception {
        var initializer = GatewayFixture.get(APP, "/docs/swagger-initializer.js");

        assertThat(initializer.statusCode()).isEqualTo(200);
        assertThat(initializer.body()).contains("url: \"../openapi.json\"");
        assertThat(initializer.body()).as("no online validator badge").contains("validatorUrl: null");
        assertThat(initializer.body()).doesNotContain("http://", "https://", "petstore");
        // ../openapi.json from /docs/ is the document itself.
        var document = URI.create(GatewayFixture.baseUrl(APP) + "/docs/").resolve("../openapi.json");
        assertThat(GatewayFixture.get(APP, document.getPath()).statusCode()).isEqualTo(200);
    }

    /** The required properties; swagger's map holds raw {@code Schema}s, whose lists come back untyped. */
    private static List<String> required(Schema<?> schema) {
        return schema.getRequired();
    }

    private static OpenAPI document() throws Exception {
        var parsed = new OpenAPIV3Parser()
                .readContents(GatewayFixture.get(APP, "/openapi.json").body());
        assertThat(parsed.getMessages()).isEmpty();
        return parsed.getOpenAPI();
    }

    private static Map<String, Operation> operationsById(OpenAPI document) {
        var operations = new LinkedHashMap<String, Operation>();
        for (PathItem item : document.getPaths().values()) {
            for (Operation operation : item.readOperations()) {
                assertThat(operations.put(operation.getOperationId(), operation))
                        .as("unique operationId")
                        .isNull();
            }
        }
        return operations;
    }

    private static void assertPost(
            OpenAPI document, Operation operation, String request, String response, String streamChunk) {
        var body = operation.getRequestBody();
        assertThat(body.getRequired()).isTrue();
        assertThat(body.getContent().keySet())
                .as("documented as the record, not an InputStream")
                .containsExactly("application/json");
        assertThat(body.getContent().get("application/json").getSchema().get$ref())
                .isEqualTo("#/components/schemas/" + request);

        var ok = operation.getResponses().get("200");
        assertThat(jsonSchema(ok).get$ref()).isEqualTo("#/components/schemas/" + response);
        if (streamChunk != null) {
            assertThat(ok.getContent().get("text/event-stream").getSchema().get$ref())
                    .isEqualTo("#/components/schemas/" + streamChunk);
        } else {
            assertThat(ok.getContent()).doesNotContainKey("text/event-stream");
        }
        for (int status : ROUTED_ERRORS) {
            var error = operation.getResponses().get(String.valueOf(status));
            assertThat(error)
                    .as(operation.getOperationId() + " documents " + status)
                    .isNotNull();
            assertErrorResponse(document, error);
        }
    }

    /** A response (or a reference to one) whose JSON body is {@code ErrorResponse}. */
    private static void assertErrorResponse(OpenAPI document, ApiResponse response) {
        var resolved = response;
        if (response.get$ref() != null) {
            String name = response.get$ref().substring("#/components/responses/".length());
            resolved = document.getComponents().getResponses().get(name);
            assertThat(resolved).as(response.get$ref()).isNotNull();
        }
        assertThat(resolved.getDescription()).isNotBlank();
        assertThat(jsonSchema(resolved).get$ref()).isEqualTo("#/components/schemas/ErrorResponse");
    }

    private static Schema<?> jsonSchema(ApiResponse response) {
        return response.getContent().get("application/json").getSchema();
    }

    private static Schema<?> component(OpenAPI document, String ref) {
        String name = ref.substring("#/components/schemas/".length());
        Schema<?> schema = document.getComponents().getSchemas().get(name);
        assertThat(schema).as(ref).isNotNull();
        return schema;
    }
}
