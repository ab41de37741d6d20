package io.switchboard.registry;

import java.util.Locale;

/** What the registry knows of a provider. */
public enum ProviderStatus {
    /** Its last discovery answered. */
    UP,
    /** Its last discovery failed: it may still serve, but is tried last. */
    DOWN,
    /** Not listed: the provider cannot list its models, or its server has no list (404/405). */
    UNKNOWN,
    /** Not built: its configuration says why (no key, usually). */
    DISABLED;

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
