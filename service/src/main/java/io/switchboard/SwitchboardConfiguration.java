package io.switchboard;

import ch.qos.logback.access.common.spi.IAccessEvent;
import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.core.Configuration;
import io.dropwizard.core.server.AbstractServerFactory;
import io.dropwizard.core.server.ServerFactory;
import io.dropwizard.core.setup.AdminFactory;
import io.dropwizard.health.DefaultHealthFactory;
import io.dropwizard.health.HealthCheckConfiguration;
import io.dropwizard.health.HealthCheckType;
import io.dropwizard.health.HealthFactory;
import io.dropwizard.health.Schedule;
import io.dropwizard.logging.common.AbstractAppenderFactory;
import io.dropwizard.logging.common.AppenderFactory;
import io.dropwizard.logging.common.DefaultLoggingFactory;
import io.dropwizard.request.logging.LogbackAccessRequestLogFactory;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.ValidationMethod;
import io.switchboard.config.ClusterConfiguration;
import io.switchboard.config.CrossChecked;
import io.switchboard.config.DatabaseConfiguration;
import io.switchboard.config.GatewayConfiguration;
import io.switchboard.config.GatewaySettings;
import io.switchboard.config.LedgerConfiguration;
import io.switchboard.config.PricingConfiguration;
import io.switchboard.config.RedisConfiguration;
import io.switchboard.config.ResponsesConfiguration;
import io.switchboard.config.TracingConfiguration;
import io.switchboard.health.ProviderHealthCheck;
import io.switchboard.health.ReadinessCheck;
import io.switchboard.provider.ProviderFactory;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** config.yml: Dropwizard's server and logging blocks, plus {@code gateway:} and {@code providers:}. */
@CrossChecked
public class SwitchboardConfiguration extends Configuration implements GatewaySettings {

    /**
     * The access-log line of every request-log appender that names no format of its own: id,
     * route, status, bytes, milliseconds, who served it, streamed or not, and the gateway key's
     * id (never the key). The request line is {@code "%m %U %H"}, not Dropwizard's {@code "%r"}:
     * the query string is where clients misplace keys ({@code ?api_key=sk-...}), and no endpoint
     * of the API takes one.
     */
    public static final String ACCESS_LOG_FORMAT = "%t{ISO8601,UTC} %reqAttribute{switchboard.requestId}"
            + " \"%m %U %H\" %s %b %D ms provider=%reqAttribute{switchboard.provider}"
            + " model=%reqAttribute{switchboard.model} streamed=%reqAttribute{switchboard.streamed}"
            + " key=%reqAttribute{switchboard.apiKey}";

    /** The admin health check of the shared limits' Redis, when {@code cluster.redis.uri} is set. */
    public static final String REDIS_CHECK = "redis";

    @Valid
    @NotNull
    @JsonProperty
    private GatewayConfiguration gateway = new GatewayConfiguration();

    @Valid
    @NotNull
    @JsonProperty
    private List<ProviderFactory> providers = List.of();

    /** Absent: memory-only (keys from config.yml, no ledger). */
    @Valid
    @JsonProperty
    private DatabaseConfiguration database;

    @Valid
    @NotNull
    @JsonProperty
    private LedgerConfiguration ledger = new LedgerConfiguration();

    @Valid
    @NotNull
    @JsonProperty
    private PricingConfiguration pricing = new PricingConfiguration();

    /** OpenTelemetry traces; off unless {@code tracing.enabled}. The server's only: commands trace nothing. */
    @Valid
    @NotNull
    @JsonProperty
    private TracingConfiguration tracing = new TracingConfiguration();

    @Valid
    @NotNull
    @JsonProperty
    private ClusterConfiguration cluster = new ClusterConfiguration();

    @Override
    public ClusterConfiguration cluster() {
        return cluster;
    }

    @Valid
    @NotNull
    @JsonProperty
    private ResponsesConfiguration responses = new ResponsesConfiguration();

    /** The Responses API's stored responses: retention, purge period, the in-memory bound. */
    public ResponsesConfiguration responses() {
        return responses;
    }

    @Override
    public GatewayConfiguration gateway() {
        return gateway;
    }

    @Override
    public Optional<DatabaseConfiguration> database() {
        return Optional.ofNullable(database);
    }

    @Override
    public LedgerConfiguration ledger() {
        return ledger;
    }

    @Override
    public PricingConfiguration pricing() {
        return pricing;
    }

    public TracingConfiguration tracing() {
        return tracing;
    }

    @Override
    public List<ProviderFactory> providers() {
        return providers;
    }

    /**
     * Dropwizard's {@code server:} block, with {@link #ACCESS_LOG_FORMAT} for each request-log
     * appender that sets no {@code logFormat}, the default console appender of a configuration
     * without a {@code requestLog} block included: Dropwizard's own default logs query strings,
     * and secret hygiene must not depend on what a configuration file remembers to say.
     */
    @Override
    public ServerFactory getServerFactory() {
        ServerFactory server = super.getServerFactory();
        if (server instanceof AbstractServerFactory factory
                && factory.getRequestLogFactory() instanceof LogbackAccessRequestLogFactory requestLog) {
            for (AppenderFactory<IAccessEvent> appender : requestLog.getAppenders()) {
                if (appender instanceof AbstractAppenderFactory<IAccessEvent> withFormat
                        && (withFormat.getLogFormat() == null
                                || withFormat.getLogFormat().isEmpty())) {
                    withFormat.setLogFormat(ACCESS_LOG_FORMAT);
                }
            }
        }
        return server;
    }

    @Override
    public AdminFactory getAdminFactory() {
        AdminFactory admin = super.getAdminFactory();
        // The admin /healthcheck is the gateway's own (AdminHealthServlet): its status follows the
        // critical checks only, so one provider's outage does not fail it.
        admin.getHealthChecks().setServletEnabled(false);
        return admin;
    }

    /**
     * Logback reads a level it does not know as INFO, without a word, so a typo in
     * {@code logging.level} ("VERBOSE", "WARNING") would quietly log something else. Refused.
     * Dropwizard also takes {@code true} and {@code false}: YAML reads an unquoted ON or OFF so.
     */
    @ValidationMethod(
            message = "logging.level, and each level under logging.loggers, must be one of OFF, ERROR,"
                    + " WARN, INFO, DEBUG, TRACE or ALL")
    @JsonIgnore
    public boolean isLogLevelKnown() {
        if (!(getLoggingFactory() instanceof DefaultLoggingFactory logging)) {
            return true;
        }
        var levels = new ArrayList<String>();
        levels.add(logging.getLevel());
        logging.getLoggers()
                .values()
                .forEach(logger ->
                        levels.add(logger.isObject() ? logger.path("level").asText("INFO") : logger.asText()));
        return levels.stream().allMatch(SwitchboardConfiguration::isLogLevel);
    }

    private static boolean isLogLevel(String text) {
        return text != null
                && (text.equalsIgnoreCase("true")
                        || text.equalsIgnoreCase("false")
                        || Level.toLevel(text, null) != null);
    }

    /** The health checks that do not decide health (each provider's); every other check does. */
    public Set<String> nonCriticalChecks() {
        return getHealthFactory()
                .filter(DefaultHealthFactory.class::isInstance)
                .map(DefaultHealthFactory.class::cast)
                .map(health -> health.getHealthCheckConfigurations().stream()
                        .filter(check -> !check.isCritical())
                        .map(HealthCheckConfiguration::getName)
                        .collect(Collectors.toUnmodifiableSet()))
                .orElse(Set.of());
    }

    /**
     * Dropwizard's {@code health:} block, with a schedule for each check the gateway registers:
     * {@code provider-<name>} (ready, non-critical), {@code providers} (ready, critical),
     * {@code redis} with {@code cluster.redis.uri} (ready; critical only with {@code failurePolicy:
     * closed}) and {@code deadlocks} (alive, critical). Checks named in config.yml keep their settings.
     * Dropwizard reads this before {@code Application.run}, which is why it is done here.
     */
    @Override
    public Optional<HealthFactory> getHealthFactory() {
        // Without a health: block Dropwizard has no health factory; the gateway always wants one.
        var factory = Optional.of(super.getHealthFactory().orElseGet(() -> {
            var created = new DefaultHealthFactory();
            setHealthFactory(created);
            return created;
        }));
        if (factory.get() instanceof DefaultHealthFactory health) {
            var checks = new ArrayList<>(health.getHealthCheckConfigurations());
            var named = checks.stream().map(HealthCheckConfiguration::getName).collect(Collectors.toSet());
            for (ProviderFactory provider : providers) {
                addCheck(checks, named, ProviderHealthCheck.nameFor(provider.name()), HealthCheckType.READY, false);
            }
            addCheck(checks, named, ReadinessCheck.NAME, HealthCheckType.READY, true);
            if (cluster.enabled()) {
                // Critical only when a Redis outage refuses requests (failurePolicy: closed).
                addCheck(
                        checks,
                        named,
                        REDIS_CHECK,
                        HealthCheckType.READY,
                        cluster.redis().failurePolicy() == RedisConfiguration.FailurePolicy.CLOSED);
            }
            addCheck(checks, named, "deadlocks", HealthCheckType.ALIVE, true);
            health.setHealthCheckConfigurations(checks);
        }
        return factory;
    }

    private static void addCheck(
            List<HealthCheckConfiguration> checks,
            Set<String> named,
            String name,
            HealthCheckType type,
            boolean critical) {
        if (named.add(name)) {
            var check = new HealthCheckConfiguration();
            check.setName(name);
            check.setType(type);
            check.setCritical(critical);
            // The checks read cached state, so checking often costs nothing; probing is the registry's job.
            var schedule = new Schedule();
            schedule.setCheckInterval(Duration.seconds(1));
            schedule.setDowntimeInterval(Duration.seconds(1));
            schedule.setFailureAttempts(1);
            schedule.setSuccessAttempts(1);
            check.setSchedule(schedule);
            checks.add(check);
        }
    }
}
