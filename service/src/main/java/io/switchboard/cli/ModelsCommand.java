package io.switchboard.cli;

import io.dropwizard.core.Configuration;
import io.switchboard.api.Model;
import io.switchboard.config.GatewaySettings;
import io.switchboard.core.GatewayCore;
import net.sourceforge.argparse4j.inf.Namespace;

import java.io.PrintStream;

/**
 * {@code models config.yml}: the model ids {@code GET /v1/models} would list, one per line and
 * nothing else, for scripts.
 */
public final class ModelsCommand extends GatewayCommand {

    public ModelsCommand(Class<? extends Configuration> configurationClass) {
        super(
                "models",
                "Print the model ids GET /v1/models lists (provider/model ids and aliases), one per line.",
                "java -jar service.jar models config.yml | grep '^openai/'",
                configurationClass);
    }

    @Override
    protected void run(GatewayCore core, GatewaySettings config, Namespace namespace, PrintStream out) {
        for (Model model : core.router().models()) {
            out.println(model.id());
        }
    }
}
