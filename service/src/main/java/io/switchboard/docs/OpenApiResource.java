package io.switchboard.docs;

import io.swagger.v3.oas.annotations.Hidden;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** {@code GET /openapi.json} and {@code GET /openapi.yaml}: the API's OpenAPI document. */
@Hidden
@Path("/openapi.{format: json|yaml}")
public final class OpenApiResource {

    private static final String YAML = "application/yaml";

    private final OpenApiDocument document;

    public OpenApiResource(OpenApiDocument document) {
        this.document = document;
    }

    @GET
    public Response get(@PathParam("format") String format) {
        return "yaml".equals(format)
                ? Response.ok(document.yaml(), YAML + ";charset=utf-8").build()
                : Response.ok(document.json(), MediaType.APPLICATION_JSON + ";charset=utf-8").build();
    }
}
