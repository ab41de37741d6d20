package io.switchboard.auth;

import jakarta.ws.rs.Path;
import jakarta.ws.rs.container.DynamicFeature;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.FeatureContext;

import java.lang.reflect.Method;
import java.util.List;

/**
 * Puts the key check (and the rate limit) on every resource method under {@code /v1}, decided by
 * path rather than by annotations: a resource added under {@code /v1} later is protected without
 * anyone remembering to annotate it, and {@code /docs}, {@code /openapi.json} and the health
 * endpoints stay public.
 */
public final class ApiKeyFeature implements DynamicFeature {

    static final String PROTECTED_PREFIX = "v1";

    private final List<Object> filters;

    /** @param filters request/response filters to bind, each with its own {@code @Priority} */
    public ApiKeyFeature(List<Object> filters) {
        this.filters = List.copyOf(filters);
    }

    @Override
    public void configure(ResourceInfo resourceInfo, FeatureContext context) {
        if (isProtected(resourceInfo.getResourceClass(), resourceInfo.getResourceMethod())) {
            filters.forEach(context::register);
        }
    }

    static boolean isProtected(Class<?> resource, Method method) {
        if (resource == null) {
            return false;
        }
        String path = template(resource.getAnnotation(Path.class)) + "/"
                + (method == null ? "" : template(method.getAnnotation(Path.class)));
        String normalized = path.replaceAll("/+", "/").replaceFirst("^/", "");
        return normalized.equals(PROTECTED_PREFIX) || normalized.startsWith(PROTECTED_PREFIX + "/");
    }

    private static String template(Path path) {
        return path == null ? "" : path.value();
    }
}
