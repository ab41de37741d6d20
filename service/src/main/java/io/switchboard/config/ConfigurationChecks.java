package io.switchboard.config;

import io.switchboard.provider.ProviderFactory;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

/** The checks of config.yml that span several blocks (see {@link GatewaySettings#crossCheck()}). */
final class ConfigurationChecks {

    private ConfigurationChecks() {}

    /**
     * What Bean Validation cannot say: names unique (providers, local runtimes), the default
     * provider and alias targets pointing at configured providers. Empty when all is well.
     */
    static List<String> crossCheck(GatewayConfiguration gateway, List<ProviderFactory> providers) {
        var problems = new ArrayList<String>();
        var names = new HashSet<String>();
        for (ProviderFactory provider : providers) {
            if (!names.add(provider.name())) {
                problems.add("providers: the name '" + provider.name() + "' is used twice");
            }
            if (hasCredentials(provider.baseUrl())) {
                // The URL is shown by GET /v1/providers and in logs; the message must not repeat it.
                problems.add("providers: '" + provider.name() + "' has a user or password in its baseUrl;"
                        + " put the key in apiKey or headers, which are never shown");
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
        gateway.aliases().forEach((alias, group) -> {
            for (var target : group.targets()) {
                int slash = target.model().indexOf('/');
                if (slash <= 0 || !names.contains(target.model().substring(0, slash))) {
                    problems.add("gateway.aliases." + alias + ": the target '" + target.model()
                            + "' must be provider/model with a configured provider");
                }
            }
        });
        for (String provider : gateway.resilience().providers().keySet()) {
            if (!names.contains(provider)) {
                problems.add("gateway.resilience.providers." + provider + ": no provider has that name");
            }
        }
        return problems;
    }

    private static boolean hasCredentials(String url) {
        if (url == null) {
            return false;
        }
        try {
            return URI.create(url.strip()).getRawUserInfo() != null;
        } catch (IllegalArgumentException notAUri) {
            return url.contains("@");
        }
    }
}
