package io.switchboard;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.core.Configuration;
import io.switchboard.provider.ProviderFactory;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

/** config.yml: Dropwizard's server and logging blocks, plus {@code gateway:} and {@code providers:}. */
public class SwitchboardConfiguration extends Configuration {

    @Valid
    @NotNull
    @JsonProperty
    private GatewayConfiguration gateway = new GatewayConfiguration();

    @Valid
    @NotNull
    @JsonProperty
    private List<ProviderFactory> providers = List.of();

    public GatewayConfiguration gateway() {
        return gateway;
    }

    public List<ProviderFactory> providers() {
        return providers;
    }

    /**
     * What Bean Validation cannot say: names unique (providers, local runtimes), the default
     * provider and alias targets pointing at configured providers. Empty when all is well.
     */
    public List<String> crossCheck() {
        var problems = new ArrayList<String>();
        var names = new HashSet<String>();
        for (ProviderFactory provider : providers) {
            if (!names.add(provider.name())) {
                problems.add("providers: the name '" + provider.name() + "' is used twice");
            }
        }
        var runtimeNames = new HashSet<String>();
        for (LocalRuntimeConfiguration runtime : gateway.localDiscovery().runtimes()) {
            if (!runtimeNames.add(runtime.name())) {
                problems.add("gateway.localDiscovery.runtimes: the name '" + runtime.name() + "' is used twice");
            }
        }
        String defaultProvider = gateway.defaultProvider();
        if (defaultProvider != null && !names.contains(defaultProvider)) {
            problems.add("gateway.defaultProvider: '" + defaultProvider + "' is not the name of a configured provider");
        }
        gateway.aliases().forEach((alias, target) -> {
            int slash = target == null ? -1 : target.indexOf('/');
            if (slash <= 0 || !names.contains(target.substring(0, slash))) {
                problems.add("gateway.aliases." + alias + ": the target '" + target
                        + "' must be provider/model with a configured provider");
            }
        });
        return problems;
    }
}
