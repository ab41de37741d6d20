package io.switchboard.config;

import io.dropwizard.configuration.ConfigurationFactory;
import io.dropwizard.configuration.ConfigurationSourceProvider;
import io.dropwizard.configuration.DefaultConfigurationFactoryFactory;
import io.dropwizard.configuration.FileConfigurationSourceProvider;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.testing.ConfigSubstitution;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/** config.yml read as the server reads it (strict, validated), for the configuration tests. */
final class ConfigParsing {

    private static final ConfigurationFactory<SwitchboardConfiguration> FACTORY =
            new DefaultConfigurationFactoryFactory<SwitchboardConfiguration>()
                    .create(SwitchboardConfiguration.class, Validators.newValidator(), Jackson.newObjectMapper(), "dw");

    private ConfigParsing() {}

    /** A configuration written inline. */
    static SwitchboardConfiguration parse(String yaml) throws Exception {
        ConfigurationSourceProvider inline = path -> new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8));
        return FACTORY.build(inline, "config.yml");
    }

    /** The repository's config.yml, with {@code environment} as the variables it reads. */
    static SwitchboardConfiguration defaultConfig(Map<String, String> environment) throws Exception {
        return FACTORY.build(
                new SubstitutingSourceProvider(
                        new FileConfigurationSourceProvider(), ConfigSubstitution.from(environment)),
                Path.of("..", "config.yml").toString());
    }
}
