package io.switchboard.config;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import io.dropwizard.configuration.ConfigurationException;
import io.dropwizard.configuration.ConfigurationFactory;
import io.dropwizard.configuration.ConfigurationFactoryFactory;
import io.dropwizard.configuration.ConfigurationParsingException;
import io.dropwizard.configuration.ConfigurationSourceProvider;
import io.dropwizard.configuration.DefaultConfigurationFactoryFactory;
import io.dropwizard.configuration.YamlConfigurationFactory;
import io.dropwizard.util.DataSize;
import io.dropwizard.util.Duration;
import jakarta.validation.Validator;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads config.yml as Dropwizard does, but says what went wrong in the operator's terms: a file
 * that is not there is named with where it was looked for, and a value of the wrong type or form
 * names its key path and the form expected ("gateway.requestTimeout: "soon" is not a duration;
 * write a number and a unit, such as 500ms, 30s or 5m"), never Jackson's class names, source
 * locations or reference chains. Every command reads config.yml through this.
 */
public final class PlainConfigurationFactory<T> extends YamlConfigurationFactory<T> {

    private static final Pattern INVALID_VALUE = Pattern.compile("Invalid [a-z ]+: (.*)$");
    private static final Pattern KNOWN_TYPE_IDS = Pattern.compile("known type ids = \\[([^\\]]*)\\]");

    private PlainConfigurationFactory(Class<T> klass, Validator validator, ObjectMapper mapper, String prefix) {
        super(klass, validator, mapper, prefix);
    }

    /**
     * What the application's bootstrap is given. Strict as Dropwizard's own factory is: the
     * bootstrap's mapper ignores unknown properties (right for API bodies), so the configuration
     * gets a copy that fails on them, and a misspelled key stops startup instead of being ignored.
     */
    public static <T> ConfigurationFactoryFactory<T> factory() {
        return new DefaultConfigurationFactoryFactory<T>() {
            @Override
            public ConfigurationFactory<T> create(
                    Class<T> klass, Validator validator, ObjectMapper mapper, String prefix) {
                return new PlainConfigurationFactory<>(klass, validator, configureObjectMapper(mapper.copy()), prefix);
            }
        };
    }

    @Override
    public T build(ConfigurationSourceProvider provider, String path) throws IOException, ConfigurationException {
        try {
            return super.build(provider, path);
        } catch (FileNotFoundException e) {
            throw new PlainConfigurationException(
                    path,
                    List.of("the file is not there (looked for "
                            + Path.of(path).toAbsolutePath().normalize()
                            + "); the repository's config.yml is a starting point"),
                    e);
        }
    }

    @Override
    protected T build(JsonNode node, String path) throws IOException, ConfigurationException {
        try {
            return super.build(node, path);
        } catch (ConfigurationParsingException e) {
            if (e.getCause() instanceof JsonMappingException mapping) {
                Optional<String> plain = plainly(mapping);
                if (plain.isPresent()) {
                    throw new PlainConfigurationException(path, List.of(plain.get()), e);
                }
            }
            throw e;
        }
    }

    /** A wrong type or form, as its key path and what is expected there; empty for other problems. */
    static Optional<String> plainly(JsonMappingException e) {
        if (e instanceof InvalidTypeIdException typeId && !e.getPath().isEmpty()) {
            var known = KNOWN_TYPE_IDS.matcher(String.valueOf(e.getOriginalMessage()));
            return Optional.of(keyPath(e.getPath()) + ".type: \"" + typeId.getTypeId() + "\" is not a type there"
                    + (known.find() ? "; one of " + known.group(1) : ""));
        }
        Class<?> target = e instanceof MismatchedInputException mismatched ? mismatched.getTargetType() : null;
        if (e instanceof ValueInstantiationException instantiation) {
            target = instantiation.getType().getRawClass();
        }
        if (target == null || e.getPath().isEmpty()) {
            return Optional.empty();
        }
        String expected = expected(target);
        if (expected == null) {
            return Optional.empty();
        }
        String given = given(e);
        String key = keyPath(e.getPath());
        return Optional.of(given == null ? key + ": expected " + expected : key + ": " + given + " is not " + expected);
    }

    /** The value the file gave, quoted, when the exception knows it. */
    private static String given(JsonMappingException e) {
        if (e instanceof InvalidFormatException invalid && invalid.getValue() != null) {
            return "\"" + invalid.getValue() + "\"";
        }
        Throwable cause = e.getCause();
        if (cause != null && cause.getMessage() != null) {
            var matcher = INVALID_VALUE.matcher(cause.getMessage());
            if (matcher.find()) {
                return "\"" + matcher.group(1) + "\"";
            }
        }
        return null;
    }

    private static String expected(Class<?> type) {
        if (type == Duration.class || type == java.time.Duration.class) {
            return "a duration; write a number and a unit, such as 500ms, 30s, 5m or 1h";
        }
        if (type == DataSize.class) {
            return "a size; write a number and a unit, such as 512KiB, 8MiB or 1GiB";
        }
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "a whole number";
        }
        if (type == double.class || type == Double.class || type == float.class || type == Float.class) {
            return "a number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "text (a single value, not a list or a block)";
        }
        if (type.isEnum()) {
            return "one of "
                    + Arrays.stream(type.getEnumConstants())
                            .map(Object::toString)
                            .collect(Collectors.joining(", "));
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "a list (items each on a line starting with \"- \", or [a, b])";
        }
        if (Map.class.isAssignableFrom(type)) {
            return "a block of keys and values";
        }
        return null;
    }

    /** {@code gateway.aliases.smart[1]}: names joined with dots, list positions in brackets. */
    static String keyPath(List<JsonMappingException.Reference> path) {
        var out = new StringBuilder();
        for (var reference : path) {
            if (reference.getFieldName() != null) {
                if (out.length() > 0) {
                    out.append('.');
                }
                out.append(reference.getFieldName());
            } else if (reference.getIndex() >= 0) {
                out.append('[').append(reference.getIndex()).append(']');
            }
        }
        return out.toString();
    }

    /** A configuration problem stated in plain words; its message is what the operator reads. */
    static final class PlainConfigurationException extends ConfigurationException {
        PlainConfigurationException(String path, Collection<String> errors, Throwable cause) {
            super(path, errors, cause);
        }
    }
}
