package io.switchboard.registry;

import io.dropwizard.servlets.tasks.Task;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code POST /tasks/refresh-providers} on the admin port: discover every provider's models now,
 * and print one line per provider.
 */
public final class RefreshProvidersTask extends Task {

    private final ProviderRegistry registry;
    private final Duration timeout;

    public RefreshProvidersTask(ProviderRegistry registry, Duration timeout) {
        super("refresh-providers");
        this.registry = registry;
        this.timeout = timeout;
    }

    @Override
    public void execute(Map<String, List<String>> parameters, PrintWriter output) throws Exception {
        RegistrySnapshot snapshot;
        try {
            snapshot = registry.refresh().get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            output.println("Refresh did not finish: " + e.getMessage());
            return;
        }
        for (ProviderState state : snapshot.providers()) {
            output.print(state.name() + " " + state.status() + " models="
                    + state.models().size());
            if (state.latency() != null) {
                output.print(" latency_ms=" + state.latency().toMillis());
            }
            if (state.error() != null) {
                output.print(" error=" + state.error());
            }
            output.println();
        }
    }
}
