package io.switchboard.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Grafana dashboard and docs/operations.md name only series the gateway really exports, and
 * the docs name all of them.
 */
class DashboardAndDocsTest {

    private static final Path DOCS = Path.of("..", "docs");
    private static final Pattern SERIES = Pattern.compile("switchboard_[a-z_]+");

    /** Every series name the gateway exports, with the suffixes Prometheus adds. */
    private static Set<String> exported() {
        var registry = gatewayRegistry();
        var names = new TreeSet<String>();
        for (MetricSnapshot snapshot : registry.scrape()) {
            String name = snapshot.getMetadata().getPrometheusName();
            names.add(name);
            switch (snapshot.getClass().getSimpleName()) {
                case "CounterSnapshot" -> names.add(name + "_total");
                case "HistogramSnapshot" -> {
                    names.add(name + "_bucket");
                    names.add(name + "_count");
                    names.add(name + "_sum");
                }
                default -> {
                    // gauges keep their name
                }
            }
        }
        return names;
    }

    @Test
    void dashboardImportsAndQueriesOnlyExportedSeries() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(Files.readString(DOCS.resolve("grafana-dashboard.json")));

        assertThat(dashboard.get("title").asText()).isEqualTo("Switchboard");
        assertThat(dashboard.get("uid").asText()).isNotBlank();
        assertThat(dashboard.get("panels")).hasSizeGreaterThanOrEqualTo(8);
        var used = new TreeSet<String>();
        for (JsonNode panel : dashboard.get("panels")) {
            assertThat(panel.get("targets")).as(panel.get("title").asText()).isNotEmpty();
            for (JsonNode target : panel.get("targets")) {
                var matcher = SERIES.matcher(target.get("expr").asText());
                while (matcher.find()) {
                    used.add(matcher.group());
                }
            }
        }
        assertThat(exported()).containsAll(used);
        assertThat(used)
                .contains(
                        "switchboard_provider_up",
                        "switchboard_upstream_latency_seconds_bucket",
                        "switchboard_upstream_ttft_seconds_bucket",
                        "switchboard_tokens_total",
                        "switchboard_upstream_in_flight",
                        "switchboard_upstream_errors_total",
                        "switchboard_gateway_overhead_seconds_bucket");
    }

    @Test
    void operationsDocNamesEveryExportedSeriesAndNoOther() throws Exception {
        String doc = Files.readString(DOCS.resolve("operations.md"));
        var documented = new TreeSet<String>();
        var matcher = SERIES.matcher(doc);
        while (matcher.find()) {
            documented.add(matcher.group());
        }
        var base = new TreeSet<String>();
        for (MetricSnapshot snapshot : gatewayRegistry().scrape()) {
            String name = snapshot.getMetadata().getPrometheusName();
            base.add(snapshot.getClass().getSimpleName().equals("CounterSnapshot") ? name + "_total" : name);
        }

        assertThat(documented).containsAll(base);
        assertThat(exported()).containsAll(documented);
    }

    private static PrometheusRegistry gatewayRegistry() {
        var registry = new PrometheusRegistry();
        var metrics = new GatewayMetrics(registry);
        metrics.watchProviders(java.util.Map::of);
        metrics.watchBreakers(java.util.Map::of);
        metrics.watchUpstreams(java.util.Map::of, () -> 0);
        // The ledger writer's series come through the Dropwizard bridge, as in the gateway.
        var dropwizard = new com.codahale.metrics.MetricRegistry();
        new io.switchboard.usage.LedgerWriter(
                rows -> {}, new io.switchboard.config.LedgerConfiguration().settings(), dropwizard);
        io.prometheus.metrics.instrumentation.dropwizard.DropwizardExports.builder()
                .dropwizardRegistry(dropwizard)
                .register(registry);
        // The shared limits' Redis series exist only with cluster.redis set: a link that never
        // connects registers them.
        new io.switchboard.cluster.RedisLink(
                new io.switchboard.cluster.RedisSettings(
                        "redis://127.0.0.1:1", null, java.time.Duration.ofMillis(50), true),
                java.util.concurrent.Executors.newSingleThreadScheduledExecutor(),
                registry);
        return registry;
    }
}
