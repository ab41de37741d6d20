package io.switchboard.provider.anthropic;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The {@code anthropic-version}s this adapter speaks. A closed set on purpose: each version changes
 * what a request may carry, so a version this code has not been taught is refused at startup
 * instead of being sent with the wrong rules.
 */
public enum AnthropicVersion {

    /** The long-standing version: key in {@code x-api-key}, sampling parameters accepted. */
    V2023_06_01("2023-06-01", true, false),

    /**
     * Rejects {@code temperature}, {@code top_p} and {@code top_k} with a 400 even at their defaults
     * (Anthropic's migration guide); the official SDKs of this version send the key as a Bearer token.
     */
    V2026_10_21("2026-10-21", false, true);

    private final String header;
    private final boolean acceptsSampling;
    private final boolean bearerAuth;

    AnthropicVersion(String header, boolean acceptsSampling, boolean bearerAuth) {
        this.header = header;
        this.acceptsSampling = acceptsSampling;
        this.bearerAuth = bearerAuth;
    }

    /** The value of the {@code anthropic-version} header, and of {@code anthropicVersion} in config. */
    @JsonValue
    public String header() {
        return header;
    }

    /** Whether {@code temperature}, {@code top_p} and {@code top_k} may be sent. */
    public boolean acceptsSampling() {
        return acceptsSampling;
    }

    /** Whether the key goes in {@code Authorization: Bearer} rather than {@code x-api-key}. */
    public boolean bearerAuth() {
        return bearerAuth;
    }

    @JsonCreator
    public static AnthropicVersion of(String header) {
        for (AnthropicVersion version : values()) {
            if (version.header.equals(header)) {
                return version;
            }
        }
        throw new IllegalArgumentException("anthropicVersion must be one of "
                + Arrays.stream(values()).map(AnthropicVersion::header).collect(Collectors.joining(", ")) + ", not '"
                + header + "'");
    }

    @Override
    public String toString() {
        return header;
    }
}
