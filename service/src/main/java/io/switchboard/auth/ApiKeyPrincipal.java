package io.switchboard.auth;

import java.security.Principal;

/**
 * A caller that presented one of the gateway's API keys. Known only by the key's id (the first
 * 12 hex digits of its SHA-256), which is safe to print in logs; the key itself is never kept.
 */
public record ApiKeyPrincipal(String keyId) implements Principal {

    @Override
    public String getName() {
        return keyId;
    }
}
