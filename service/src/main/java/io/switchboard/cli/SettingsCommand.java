package io.switchboard.cli;

import io.dropwizard.configuration.ConfigurationException;
import io.dropwizard.core.Configuration;
import io.dropwizard.core.cli.Cli;
import io.dropwizard.core.cli.ConfiguredCommand;
import io.switchboard.api.ApiException;
import io.switchboard.config.GatewaySettings;
import io.switchboard.provider.ProviderException;
import net.sourceforge.argparse4j.inf.Namespace;
import org.flywaydb.core.api.FlywayException;

/**
 * What every command of the gateway shares: config.yml read as a class the application names
 * (which implements {@link GatewaySettings}, so this package never names the application's own
 * class), and failures a user can act on printed as one line rather than a stack trace.
 */
abstract class SettingsCommand extends ConfiguredCommand<Configuration> {

    private final Class<? extends Configuration> configurationClass;

    /**
     * @param configurationClass what config.yml is read as: the application's configuration, or a
     *     variant of it for commands; it must implement {@link GatewaySettings}
     */
    SettingsCommand(String name, String description, Class<? extends Configuration> configurationClass) {
        super(name, description);
        if (!GatewaySettings.class.isAssignableFrom(configurationClass)) {
            throw new IllegalArgumentException(configurationClass + " does not implement GatewaySettings");
        }
        this.configurationClass = configurationClass;
    }

    @Override
    @SuppressWarnings("unchecked")
    protected Class<Configuration> getConfigurationClass() {
        return (Class<Configuration>) configurationClass;
    }

    /** The configuration as the gateway reads it. */
    static GatewaySettings settings(Configuration configuration) {
        return (GatewaySettings) configuration;
    }

    /** Failures a user can act on print as one message; anything else keeps its stack trace. */
    @Override
    public void onError(Cli cli, Namespace namespace, Throwable e) {
        if (e instanceof CommandFailure
                || e instanceof ApiException
                || e instanceof ProviderException
                || e instanceof ConfigurationException
                || e instanceof FlywayException
                || e instanceof IllegalArgumentException
                || e instanceof IllegalStateException) {
            cli.getStdErr().println(e.getMessage());
            cli.getStdErr().flush();
        } else {
            super.onError(cli, namespace, e);
        }
    }
}
