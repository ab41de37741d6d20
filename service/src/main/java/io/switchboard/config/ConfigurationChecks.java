package io.switchboard.config;

import io.switchboard.auth.ApiKeys;
import io.switchboard.auth.ApiKeysFile;
import io.switchboard.provider.ProviderFactory;
import io.switchboard.registry.RuntimeKind;

import java.net.URI;
import java.nio.file.Path;
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
        var runtimes = gateway.localDiscovery().runtimes();
        for (int i = 0; i < runtimes.size(); i++) {
            LocalRuntimeConfiguration runtime = runtimes.get(i);
            if (!runtimeNames.add(runtime.name())) {
                problems.add("gateway.localDiscovery.runtimes: the name '" + runtime.name() + "' is used twice");
            }
            if (runtime.kind().isEmpty()) {
                problems.add("gateway.localDiscovery.runtimes[" + i + "].kind: '" + runtime.name()
                        + "' needs a kind, the runtime it must be recognised as (one of " + RuntimeKind.ids()
                        + "); only those names imply it");
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
        checkKeys(gateway, problems);
        return problems;
    }

    /** The keys file can be read, and every per-key rate limit names a configured key. */
    private static void checkKeys(GatewayConfiguration gateway, List<String> problems) {
        var hashes = new ArrayList<>(gateway.apiKeyHashes());
        if (gateway.apiKeysFile() != null) {
            try {
                hashes.addAll(ApiKeysFile.read(Path.of(gateway.apiKeysFile())));
            } catch (RuntimeException unreadable) {
                String message = unreadable.getMessage();
                problems.add(message.startsWith("gateway.apiKeysFile") ? message : "gateway.apiKeysFile: " + message);
                return;
            }
        }
        var ids = new HashSet<String>();
        for (String hash : hashes) {
            ids.add(hash.strip()
                    .toLowerCase(java.util.Locale.ROOT)
                    .substring(0, Math.min(ApiKeys.ID_LENGTH, hash.strip().length())));
        }
        for (String id : gateway.rateLimit().perKey().keySet()) {
            if (!ids.contains(id)) {
                problems.add("gateway.rateLimit.perKey." + id + ": no configured key has this id (a key's id is the"
                        + " first " + ApiKeys.ID_LENGTH + " hex digits of its SHA-256)");
            }
        }
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
