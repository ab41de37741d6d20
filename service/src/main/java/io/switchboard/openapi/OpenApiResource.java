package io.switchboard.openapi;

import io.swagger.v3.oas.annotations.Hidden;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.function.Supplier;

/** {@code GET /openapi.json} and {@code GET /openapi.yaml}: the API's OpenAPI document. */
@Hidden
@Path("/openapi.{format: json|yaml}")
public final class OpenApiResource {

    private static final String YAML = "application/yaml";

    private final Supplier<OpenApiDocument> source;
    private volatile OpenApiDocument document;

    /**
     * @param source builds the document, once, on the first request: swagger's reader takes
     *               about a second of a small machine's startup, which readiness should not wait for
     */
    public OpenApiResource(Supplier<OpenApiDocument> source) {
        this.source = source;
    }

    private OpenApiDocument document() {
        OpenApiDocument built = document;
        if (built == null) {
            synchronized (this) {
                built = document;
                if (built == null) {
                    built = source.get();
                    document = built;
                }
            }
        }
        return built;
    }

    @GET
    public Response get(@PathParam("format") String format) {
        OpenApiDocument document = document();
        return "yaml".equals(format)
                ? Response.ok(document.yaml(), YAML + ";charset=utf-8").build()
                : Response.ok(document.json(), MediaType.APPLICATION_JSON + ";charset=utf-8")
                        .build();
    }
}
