package io.switchboard.health;

import com.codahale.metrics.health.HealthCheck;
import com.codahale.metrics.health.HealthCheckRegistry;
import com.codahale.metrics.json.HealthCheckModule;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.SortedMap;
import java.util.function.Predicate;

/**
 * The admin port's {@code /healthcheck}, in place of Dropwizard's: the same JSON (every check,
 * its message and details), but the status follows the critical checks only. Dropwizard's answers
 * 500 when any check fails, so one provider's outage made the whole gateway look unhealthy; here
 * a provider's check may fail (its entry says so) while the gateway, which still serves through
 * the others, answers 200. 500 means a critical check failed: no provider can serve, or a deadlock.
 */
public final class AdminHealthServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    private final transient HealthCheckRegistry registry;
    private final transient Predicate<String> critical;
    private final transient ObjectMapper mapper = new ObjectMapper().registerModule(new HealthCheckModule());

    /** @param critical whether the check of this name decides the status */
    public AdminHealthServlet(HealthCheckRegistry registry, Predicate<String> critical) {
        this.registry = registry;
        this.critical = critical;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        // The checks read cached state (the registry probes on its own schedule): running them is cheap.
        SortedMap<String, HealthCheck.Result> results = registry.runHealthChecks();
        boolean healthy = results.entrySet().stream()
                .filter(entry -> critical.test(entry.getKey()))
                .allMatch(entry -> entry.getValue().isHealthy());
        byte[] body = mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(results);
        response.setStatus(healthy ? HttpServletResponse.SC_OK : HttpServletResponse.SC_INTERNAL_SERVER_ERROR);
        response.setContentType("application/json");
        response.setHeader("Cache-Control", "must-revalidate,no-cache,no-store");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}
