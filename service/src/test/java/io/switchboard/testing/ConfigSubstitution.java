package io.switchboard.testing;

import org.apache.commons.text.StringSubstitutor;

import java.util.Map;

/**
 * {@code ${VAR}} substitution in config.yml as {@code SwitchboardApplication} does it
 * ({@code EnvironmentVariableSubstitutor(false, true)}: not strict, and a default may read another
 * variable), from a map instead of the process environment.
 */
public final class ConfigSubstitution {

    private ConfigSubstitution() {}

    public static StringSubstitutor from(Map<String, String> environment) {
        var substitutor = new StringSubstitutor(environment);
        substitutor.setEnableSubstitutionInVariables(true);
        return substitutor;
    }
}
