package io.switchboard.auth;

import io.dropwizard.auth.Authenticator;

import java.util.Optional;

/**
 * Every gateway key: those of config.yml (hashes compared in constant time, see {@link ApiKeys})
 * and the virtual keys of a {@link KeyDirectory}, looked up by the SHA-256 of what was presented.
 */
public final class GatewayKeys implements Authenticator<String, ApiKeyPrincipal> {

    private final ApiKeys configured;
    private final KeyDirectory directory;

    public GatewayKeys(ApiKeys configured, KeyDirectory directory) {
        this.configured = configured;
        this.directory = directory;
    }

    /** Whether no key exists at all: then the API is open, as it is without keys in config.yml. */
    public boolean isEmpty() {
        return configured.isEmpty() && directory.isEmpty();
    }

    @Override
    public Optional<ApiKeyPrincipal> authenticate(String presented) {
        var known = configured.authenticate(presented);
        return known.isPresent() ? known : directory.byHash(ApiKeys.sha256Hex(presented));
    }

    @Override
    public String toString() {
        return "GatewayKeys[" + configured + ", " + directory + "]";
    }
}
