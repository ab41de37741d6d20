package io.switchboard.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.jersey.DropwizardResourceConfig;
import io.dropwizard.jersey.jackson.JacksonFeature;
import io.dropwizard.servlets.assets.AssetServlet;
import io.switchboard.resources.ApiExceptionMapper;
import io.switchboard.resources.CatchAllExceptionMapper;
import io.switchboard.resources.WebApplicationExceptionMapper;
import org.glassfish.jersey.server.ServerProperties;
import org.glassfish.jersey.servlet.ServletContainer;

import java.nio.charset.StandardCharsets;

/**
 * The admin port's own JSON API ({@code /api/…}: keys, usage, providers) and its page
 * ({@code /ui/}). A Jersey application of its own, beside Dropwizard's admin servlets, so it is
 * reachable only where the admin port is (127.0.0.1 by default) and never under the gateway keys
 * of the API port. Errors have the OpenAI shape, as everywhere else.
 */
public final class AdminApi {

    public static final String API_PATH = "/api";
    public static final String UI_PATH = "/ui";

    private final DropwizardResourceConfig jersey;

    public AdminApi(Environment environment, ObjectMapper mapper) {
        jersey = new DropwizardResourceConfig(environment.metrics());
        jersey.property(ServerProperties.WADL_FEATURE_DISABLE, true);
        jersey.register(new JacksonFeature(mapper));
        jersey.register(new ApiExceptionMapper());
        jersey.register(new WebApplicationExceptionMapper());
        jersey.register(new CatchAllExceptionMapper());
    }

    /** Adds a resource; call before {@link #install}. */
    public AdminApi register(Object resource) {
        jersey.register(resource);
        return this;
    }

    /** The resource classes, for the OpenAPI document. */
    public java.util.Set<Class<?>> resourceClasses() {
        return jersey.getClasses();
    }

    /** Mounts the API and the page on the admin port. */
    public void install(Environment environment) {
        environment
                .admin()
                .addServlet("admin-api", new ServletContainer(jersey))
                .addMapping(API_PATH + "/*");
        environment
                .admin()
                .addServlet(
                        "admin-ui",
                        new AssetServlet("/io/switchboard/admin/ui", UI_PATH, "index.html", StandardCharsets.UTF_8))
                .addMapping(UI_PATH + "/*");
    }
}
