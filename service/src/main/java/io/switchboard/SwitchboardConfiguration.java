package io.switchboard;

import io.switchboard.config.GatewayConfiguration;
import io.switchboard.config.GatewaySettings;
import io.switchboard.config.LocalRuntimeConfiguration;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.core.Configuration;
import io.dropwizard.core.setup.AdminFactory;
import io.dropwizard.health.DefaultHealthFactory;
import io.dropwizard.health.HealthCheckConfiguration;
import io.dropwizard.health.HealthCheckType;
import io.dropwizard.health.HealthFactory;
import io.dropwizard.health.Schedule;
import io.dropwizard.util.Duration;
import io.switchboard.health.ProviderHealthCheck;
import io.switchboard.health.ReadinessCheck;
import io.switchboard.provider.ProviderFactory;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** config.yml: Dropwizard's server and logging blocks, plus {@code gateway:} and {@code providers:}. */
public class SwitchboardConfiguration extends Configuration implements GatewaySettings {

    @Valid
    @NotNull
    @JsonProperty
    private GatewayConfiguration gateway = new GatewayConfiguration();

    @Valid
    @NotNull
    @JsonProperty
    private List<ProviderFactory> providers = List.of();

    @Override
    public GatewayConfiguration gateway() {
        return gateway;
    }

    @Override
    public List<ProviderFactory> providers() {
        return providers;
    }

    @Override
    public AdminFactory getAdminFactory() {
        AdminFactory admin = super.getAdminFactory();
        // The admin /healthcheck is the gateway's own (AdminHealthServlet): its status follows the
        // critical checks only, so one provider's outage does not fail it.
        admin.getHealthChecks().setServletEnabled(false);
        return admin;
    }

    /** The health checks that do not decide health (each provider's); every other check does. */
    public Set<String> nonCriticalChecks() {
        return getHealthFactory().filter(DefaultHealthFactory.class::isInstance).map(DefaultHealthFactory.class::cast)
                .map(health -> health.getHealthCheckConfigurations().stream().filter(check -> !check.isCritical())
                        .map(HealthCheckConfiguration::getName).collect(Collectors.toUnmodifiableSet()))
                .orElse(Set.of());
    }

    /**
     * Dropwizard's {@code health:} block, with a schedule for each check the gateway registers:
     * {@code provider-<name>} (ready, non-critical), {@code providers} (ready, critical) and
     * {@code deadlocks} (alive, critical). Checks named in config.yml keep their settings.
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
            addCheck(checks, named, "deadlocks", HealthCheckType.ALIVE, true);
            health.setHealthCheckConfigurations(checks);
        }
        return factory;
    }

    private static void addCheck(List<HealthCheckConfiguration> checks, Set<String> named, String name,
                                 HealthCheckType type, boolean critical) {
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
