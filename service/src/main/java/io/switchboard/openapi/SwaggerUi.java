package io.switchboard.openapi;

import io.dropwizard.jetty.setup.ServletEnvironment;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * Interactive API docs at {@code /docs/}: a small page of ours ({@code /docs/}, and
 * {@code /docs} redirecting to it) that starts Swagger UI on {@code /openapi.json}, and Swagger
 * UI itself under {@code /docs/swagger-ui/}, served from the swagger-ui webjar on the class path.
 * Nothing is loaded from the internet.
 */
public final class SwaggerUi {

    static final String PAGE_RESOURCES = "/io/switchboard/openapi/page";
    private static final String WEBJAR_PROPERTIES = "/META-INF/maven/org.webjars/swagger-ui/pom.properties";
    private static final String WEBJAR_RESOURCES = "/META-INF/resources/webjars/swagger-ui/";

    private SwaggerUi() {}

    public static void register(ServletEnvironment servlets) {
        servlets.addServlet("docs", new DocsPageServlet(PAGE_RESOURCES, "/docs"))
                .addMapping("/docs/*");
        servlets.addServlet(
                        "swagger-ui",
                        new DocsAssetServlet(WEBJAR_RESOURCES + webjarVersion(), "/docs/swagger-ui", null))
                .addMapping("/docs/swagger-ui/*");
    }

    /** The webjar keeps its files under its version; read it from the jar rather than repeat it here. */
    static String webjarVersion() {
        try (InputStream in = SwaggerUi.class.getResourceAsStream(WEBJAR_PROPERTIES)) {
            if (in == null) {
                throw new IllegalStateException(
                        "The swagger-ui webjar is not on the class path (" + WEBJAR_PROPERTIES + " is missing)");
            }
            var properties = new Properties();
            properties.load(in);
            return properties.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + WEBJAR_PROPERTIES, e);
        }
    }
}
