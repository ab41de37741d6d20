package io.switchboard.provider;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.dropwizard.jackson.Discoverable;

import java.util.Optional;

/**
 * One entry of {@code providers:} in config.yml. The {@code type} property picks the
 * implementation; implementations are found through {@code META-INF/services}, so a jar on the
 * class path can add a type without touching this code.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
public interface ProviderFactory extends Discoverable {

    /** The provider's name: the prefix of its model ids, so it never contains a slash. */
    String name();

    /** The {@code type} this factory is registered under. */
    String type();

    /** Where the provider sends requests, for display even while disabled; null if not over HTTP. */
    default String baseUrl() {
        return null;
    }

    /**
     * Why this entry should not be built (say, its API key variable is unset), written for the
     * operator who reads the startup log; empty when it can be built.
     */
    Optional<String> disabledReason();

    /** Builds the provider. Called once at startup, only when {@link #disabledReason} is empty. */
    Provider build(ProviderContext context);
}
