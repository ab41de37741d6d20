package io.switchboard.cli;

import io.dropwizard.core.Configuration;
import io.switchboard.config.GatewaySettings;
import io.switchboard.core.GatewayCore;
import io.switchboard.registry.ProviderState;
import io.switchboard.registry.ProviderStatus;
import net.sourceforge.argparse4j.inf.Namespace;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code providers config.yml}: discovers every configured provider, as the server does at
 * startup, and prints one row each. Exit code 1 when none is reachable (none is {@code up}).
 */
public final class ProvidersCommand extends GatewayCommand {

    private static final List<String> HEADER =
            List.of("NAME", "TYPE", "BASE URL", "STATUS", "LATENCY", "MODELS", "ERROR");

    public ProvidersCommand(Class<? extends Configuration> configurationClass) {
        super(
                "providers",
                "Discover every configured provider and print its type, base URL, status (up:"
                        + " reachable), discovery latency and model count. Exits with 1 when no provider is up.",
                "java -jar service.jar providers config.yml",
                configurationClass);
    }

    @Override
    protected void run(GatewayCore core, GatewaySettings config, Namespace namespace, PrintStream out) {
        var providers = core.registry().snapshot().providers();
        var rows = new ArrayList<List<String>>();
        rows.add(HEADER);
        for (ProviderState state : providers) {
            rows.add(row(state));
        }
        printTable(rows, out);
        long up = providers.stream()
                .filter(state -> state.status() == ProviderStatus.UP)
                .count();
        out.println();
        out.println(up + " of " + providers.size() + " providers reachable.");
        if (up == 0) {
            throw new CommandFailure("No provider is reachable: none answered its model-list probe.");
        }
    }

    private static List<String> row(ProviderState state) {
        return List.of(
                state.name(),
                state.type(),
                state.baseUrl() != null ? state.baseUrl() : "-",
                state.status().toString(),
                state.latency() != null ? state.latency().toMillis() + " ms" : "-",
                String.valueOf(state.models().size()),
                state.error() != null ? state.error() : "");
    }

    /** Columns padded to their widest cell; the last one is not padded, so rows carry no trailing blanks. */
    private static void printTable(List<List<String>> rows, PrintStream out) {
        int columns = HEADER.size();
        int[] widths = new int[columns];
        for (List<String> row : rows) {
            for (int i = 0; i < columns; i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        for (List<String> row : rows) {
            var line = new StringBuilder();
            for (int i = 0; i < columns; i++) {
                String cell = row.get(i);
                line.append(i < columns - 1 ? cell + " ".repeat(widths[i] - cell.length() + 2) : cell);
            }
            out.println(line.toString().stripTrailing());
        }
    }
}
