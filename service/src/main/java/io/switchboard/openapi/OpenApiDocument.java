package io.switchboard.openapi;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.swagger.v3.core.converter.ModelConverters;
import io.swagger.v3.core.util.Json;
import io.swagger.v3.core.util.Yaml;
import io.swagger.v3.jaxrs2.Reader;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.integration.SwaggerConfiguration;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.servers.Server;
import io.switchboard.api.ErrorResponse;
import io.switchboard.resources.ApiErrors;
import io.switchboard.resources.DocumentedError;
import jakarta.ws.rs.Path;

import java.lang.reflect.Method;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The OpenAPI document of the {@code /v1} API, generated once (on first use) by swagger-jaxrs2 from
 * the resources' annotations, with the title, description and version of {@code gateway.api}.
 * Rendered as JSON and YAML up front: it cannot change while the server runs.
 */
public final class OpenApiDocument {

    private static final String ERROR_SCHEMA = "ErrorResponse";
    /** OpenAI's own document names its bearer scheme so; SDK generators and Swagger UI read it. */
    private static final String SECURITY_SCHEME = "ApiKeyAuth";

    private static final String RESPONSES_REF = "#/components/responses/";
    private static final String COMPONENT_SCHEMAS_REF = "#/components/schemas/";
    private static final String JSON_NODE = "JsonNode";
    /** The name every wire record gives its map of unknown fields. */
    private static final String EXTRA = "extra";

    private final OpenAPI model;
    private final String json;
    private final String yaml;

    private OpenApiDocument(OpenAPI model) {
        this.model = model;
        try {
            json = Json.pretty().writeValueAsString(model);
            yaml = Yaml.pretty().writeValueAsString(model);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot render the OpenAPI document", e);
        }
    }

    /**
     * @param resources resource classes; those whose path starts with {@code /v1/} are documented,
     *                  in the order of their paths
     */
    public static OpenApiDocument of(ApiInfo info, Collection<Class<?>> resources) {
        return of(info, resources, List.of(), null);
    }

    /**
     * The document of the {@code /v1} API and of the admin port's API ({@code adminResources},
     * documented under {@code /api/...} with the admin port's address as their server).
     */
    public static OpenApiDocument of(
            ApiInfo info, Collection<Class<?>> resources, Collection<Class<?>> adminResources, String adminUrl) {
        Set<Class<?>> api = resources.stream()
                .filter(type -> pathOf(type).startsWith("/v1/"))
                .sorted(Comparator.comparing(OpenApiDocument::pathOf))
                .collect(Collectors.toCollection(LinkedHashSet::new));
        var base = new OpenAPI()
                .info(new Info()
                        .title(info.title())
                        .description(info.description())
                        .version(info.version()))
                // Relative: the API is wherever this document was fetched from (and Swagger UI calls it there).
                .servers(List.of(new Server().url("/").description("This gateway")))
                .components(errorComponents());
        // "200", not "default", for the response swagger derives from a method's return type.
        var config = new SwaggerConfiguration().openAPI(base).defaultResponseCode("200");
        var model = new Reader(config).read(api);
        for (Class<?> type : api) {
            addErrorResponses(model, type);
        }
        if (!adminResources.isEmpty()) {
            addAdmin(model, adminResources, adminUrl);
        }
        describeFreeFormJson(model);
        requireBearerKey(model);
        return new OpenApiDocument(model);
    }

    /** The admin API's operations, under {@code /api}, served by the admin port (not this document's server). */
    private static void addAdmin(OpenAPI model, Collection<Class<?>> adminResources, String adminUrl) {
        var admin = adminResources.stream()
                .sorted(Comparator.comparing(OpenApiDocument::pathOf))
                .collect(Collectors.toCollection(LinkedHashSet::new));
        var config = new SwaggerConfiguration()
                .openAPI(new OpenAPI().components(new Components()))
                .defaultResponseCode("200");
        var adminModel = new Reader(config).read(admin);
        var server = new Server()
                .url(adminUrl)
                .description("The admin port (127.0.0.1 only unless configured"
                        + " otherwise): keys, usage and the providers, with no gateway key");
        adminModel
                .getPaths()
                .forEach((path, item) -> model.getPaths().addPathItem("/api" + path, item.servers(List.of(server))));
        if (adminModel.getComponents() != null && adminModel.getComponents().getSchemas() != null) {
            adminModel
                    .getComponents()
                    .getSchemas()
                    .forEach((name, schema) -> model.getComponents().addSchemas(name, schema));
        }
        if (adminModel.getTags() != null) {
            adminModel.getTags().forEach(model::addTagsItem);
        }
        for (Class<?> type : admin) {
            addErrorResponses(model, type);
        }
    }

    public OpenAPI model() {
        return model;
    }

    public String json() {
        return json;
    }

    public String yaml() {
        return yaml;
    }

    private static String pathOf(Class<?> type) {
        var path = type.getAnnotation(Path.class);
        return path == null ? "" : path.value();
    }

    /** {@code ErrorResponse} and one response per {@link DocumentedError}, all pointing at it. */
    private static Components errorComponents() {
        var components = new Components();
        @SuppressWarnings("rawtypes")
        var schemas =
                new LinkedHashMap<String, Schema>(ModelConverters.getInstance().readAll(ErrorResponse.class));
        schemas.forEach(components::addSchemas);
        var body = new Content()
                .addMediaType(
                        "application/json",
                        new MediaType().schema(new Schema<>().$ref(COMPONENT_SCHEMAS_REF + ERROR_SCHEMA)));
        for (DocumentedError error : DocumentedError.values()) {
            var response = new ApiResponse().description(error.description()).content(body);
            if (error == DocumentedError.RATE_LIMITED) {
                response.addHeaderObject(
                        "Retry-After",
                        new Header()
                                .description("Seconds to wait before trying again, when the upstream said")
                                .schema(new IntegerSchema()));
            }
            components.addResponses(error.component(), response);
        }
        return components;
    }

    /**
     * The gateway API key as an HTTP bearer scheme, required by every {@code /v1} operation, so
     * that Swagger UI offers "Authorize" and sends the key with "Try it out".
     */
    private static void requireBearerKey(OpenAPI model) {
        model.getComponents()
                .addSecuritySchemes(
                        SECURITY_SCHEME,
                        new SecurityScheme()
                                .type(SecurityScheme.Type.HTTP)
                                .scheme("bearer")
                                .description(
                                        "A gateway API key (SWITCHBOARD_API_KEYS or gateway.apiKeysFile), sent as"
                                                + " Authorization: Bearer <key>. A gateway with no keys configured accepts any value, or none."));
        model.getPaths().forEach((path, item) -> {
            if (path.startsWith("/v1/")) {
                item.readOperations()
                        .forEach(operation ->
                                operation.addSecurityItem(new SecurityRequirement().addList(SECURITY_SCHEME)));
            }
        });
    }

    /**
     * Corrects what swagger infers from two habits of the wire records. A {@code JsonNode} field
     * holds any JSON value (a string or an array of parts, say), not an empty object. The
     * {@code extra} map ({@code @JsonAnySetter}/{@code @JsonAnyGetter}) is the object's other
     * fields, flattened, not a property named {@code extra}.
     */
    private static void describeFreeFormJson(OpenAPI model) {
        var schemas = model.getComponents().getSchemas();
        schemas.remove(JSON_NODE);
        for (Schema<?> schema : schemas.values()) {
            var properties = schema.getProperties();
            if (properties == null) {
                continue;
            }
            if (properties.remove(EXTRA) != null) {
                schema.setAdditionalProperties(true);
            }
            properties.replaceAll((name, property) -> anyIfJsonNode(property));
            for (Schema<?> property : properties.values()) {
                if (property.getItems() != null) {
                    property.setItems(anyIfJsonNode(property.getItems()));
                }
                if (property.getAdditionalProperties() instanceof Schema<?> values) {
                    property.setAdditionalProperties(anyIfJsonNode(values));
                }
            }
        }
    }

    /** An empty schema, which allows any value, in place of a reference to {@code JsonNode}. */
    private static Schema<?> anyIfJsonNode(Schema<?> schema) {
        return (COMPONENT_SCHEMAS_REF + JSON_NODE).equals(schema.get$ref()) ? new Schema<>() : schema;
    }

    private static void addErrorResponses(OpenAPI model, Class<?> type) {
        for (Method method : type.getMethods()) {
            var errors = method.getAnnotation(ApiErrors.class);
            if (errors == null) {
                continue;
            }
            var operationId = method.getAnnotation(Operation.class) != null
                    ? method.getAnnotation(Operation.class).operationId()
                    : "";
            var operation = model.getPaths().values().stream()
                    .flatMap((PathItem item) -> item.readOperations().stream())
                    .filter(candidate -> operationId.equals(candidate.getOperationId()))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException(type.getSimpleName() + "." + method.getName()
                            + " has @ApiErrors but no @Operation(operationId) that the document lists"));
            for (int status : errors.value()) {
                var error = DocumentedError.of(status)
                        .orElseThrow(() -> new IllegalStateException(
                                operationId + ": no documented error response for status " + status));
                operation
                        .getResponses()
                        .addApiResponse(
                                String.valueOf(status), new ApiResponse().$ref(RESPONSES_REF + error.component()));
            }
        }
    }
}
