package io.switchboard.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import io.switchboard.provider.Provider;

import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The gateway's own metrics, with labels: per provider, per model (from the catalog, so the
 * number of series is bounded by what providers list, never by what clients send), per
 * operation, outcome and error kind. Lives in a Prometheus registry, next to the Dropwizard
 * registry's metrics bridged in (see {@code docs/operations.md} for every series).
 */
public final class GatewayMetrics {

    /** The model label for an id the provider does not list (pass-through, default provider). */
    public static final String UNLISTED_MODEL = "unlisted";

    private static final double[] LATENCY_BUCKETS = {
        0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300
    };
    private static final double[] OVERHEAD_BUCKETS = {
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25
    };

    private static final String[] BREAKER_STATES = {"closed", "open", "half_open"};

    private final PrometheusRegistry registry;
    final Counter requests;
    final Counter errors;
    final Histogram latency;
    final Histogram timeToFirstToken;
    final Gauge inFlight;
    final Counter tokens;
    final Histogram overhead;
    final Counter retries;
    final Counter fallbacks;
    private final Counter cost;
    private final Counter unpriced;
    private final Counter endpointRequests;

    public GatewayMetrics(PrometheusRegistry registry) {
        this.registry = registry;
        requests = Counter.builder()
                .name("switchboard_upstream_requests")
                .help("Upstream calls that finished, by outcome (success, error)")
                .labelNames("provider", "model", "operation", "outcome")
                .register(registry);
        errors = Counter.builder()
                .name("switchboard_upstream_errors")
                .help("Upstream calls that failed, by kind: timeout, connect, rate_limited, authentication,"
                        + " upstream_4xx, upstream_5xx, malformed, cancelled, unsupported")
                .labelNames("provider", "model", "kind")
                .register(registry);
        latency = Histogram.builder()
                .name("switchboard_upstream_latency_seconds")
                .unit(Unit.SECONDS)
                .help("Time from sending an upstream call to its end (for streams, the last event)")
                .classicUpperBounds(LATENCY_BUCKETS)
                .labelNames("provider", "model", "operation", "outcome")
                .register(registry);
        timeToFirstToken = Histogram.builder()
                .name("switchboard_upstream_ttft_seconds")
                .unit(Unit.SECONDS)
                .help("Time from sending a streamed upstream call to its first chunk")
                .classicUpperBounds(LATENCY_BUCKETS)
                .labelNames("provider", "model")
                .register(registry);
        inFlight = Gauge.builder()
                .name("switchboard_upstream_in_flight")
                .help("Upstream calls (and open streams) in progress")
                .labelNames("provider", "model")
                .register(registry);
        tokens = Counter.builder()
                .name("switchboard_tokens")
                .help("Tokens the upstreams reported, by type (prompt, completion)")
                .labelNames("provider", "model", "type")
                .register(registry);
        overhead = Histogram.builder()
                .name("switchboard_gateway_overhead_seconds")
                .unit(Unit.SECONDS)
                .help("Time the gateway adds: time to the response (streams: to the first chunk) minus time"
                        + " waiting on the upstream")
                .classicUpperBounds(OVERHEAD_BUCKETS)
                .labelNames("operation")
                .register(registry);
        retries = Counter.builder()
                .name("switchboard_route_retries")
                .help("Attempts made again at the same provider after a transient failure, by the failure's kind")
                .labelNames("provider", "kind")
                .register(registry);
        fallbacks = Counter.builder()
                .name("switchboard_route_fallbacks")
                .help("Requests passed from one provider to the next candidate, by the failure's kind"
                        + " (circuit_open when the next was chosen because the breaker was open)")
                .labelNames("from", "to", "kind")
                .register(registry);
        cost = Counter.builder()
                .name("switchboard_cost_microdollars")
                .help("What served requests cost by the price table, in micro-dollars (1e-6 USD); requests of"
                        + " models with no price are counted in switchboard_unpriced_requests instead")
                .labelNames("provider", "model")
                .register(registry);
        unpriced = Counter.builder()
                .name("switchboard_unpriced_requests")
                .help("Served requests whose cost is unknown: the model has no price (its tokens are still recorded)")
                .labelNames("provider", "model")
                .register(registry);
        endpointRequests = Counter.builder()
                .name("switchboard_requests")
                .help("Routed requests that ended, by the endpoint they came in by (/v1/chat/completions,"
                        + " /v1/messages, /v1/responses, ...) and the HTTP status the client got (499: it left)")
                .labelNames("endpoint", "status")
                .register(registry);
    }

    /**
     * Exposes {@code switchboard_provider_up}: {@code up} gives each enabled provider and whether
     * it is up, read at every scrape.
     */
    public void watchProviders(Supplier<Map<String, Boolean>> up) {
        GaugeWithCallback.builder()
                .name("switchboard_provider_up")
                .help("1 when the provider's last probe answered (or it cannot be probed), 0 when it failed;"
                        + " disabled providers have no series")
                .labelNames("provider")
                .callback(callback -> up.get().forEach((provider, isUp) -> callback.call(isUp ? 1 : 0, provider)))
                .register(registry);
    }

    /**
     * Exposes each provider's circuit breaker as {@code switchboard_circuit_breaker_state}: one
     * series per provider and state, 1 for the state it is in.
     */
    public void watchBreakers(Supplier<Map<String, String>> states) {
        GaugeWithCallback.builder()
                .name("switchboard_circuit_breaker_state")
                .help("1 for the state each provider's circuit breaker is in: closed, open, half_open (others 0)")
                .labelNames("provider", "state")
                .callback(callback -> states.get().forEach((provider, state) -> {
                    for (String each : BREAKER_STATES) {
                        callback.call(each.equals(state) ? 1 : 0, provider, each);
                    }
                }))
                .register(registry);
    }

    /**
     * Exposes the upstream connection pools ({@code switchboard_upstream_connections}) and the
     * upstream threads at work ({@code switchboard_upstream_threads_busy}).
     */
    public void watchUpstreams(Supplier<Map<String, Connections>> pools, IntSupplier busyThreads) {
        GaugeWithCallback.builder()
                .name("switchboard_upstream_connections")
                .help(
                        "Upstream connections by origin (scheme://host:port) and state: active (lent to a request) or idle")
                .labelNames("upstream", "state")
                .callback(callback -> pools.get().forEach((origin, pool) -> {
                    callback.call(pool.active(), origin, "active");
                    callback.call(pool.idle(), origin, "idle");
                }))
                .register(registry);
        GaugeWithCallback.builder()
                .name("switchboard_upstream_threads_busy")
                .help("Threads of the shared upstream pool running a task (handling a response)")
                .callback(callback -> callback.call(busyThreads.getAsInt()))
                .register(registry);
    }

    /** One upstream origin's connections: lent to a request, or idle in the pool. */
    public record Connections(int active, int idle) {}

    /**
     * One served request's cost, or that it had none known ({@code micros} null). {@code model}
     * must be a label the catalog bounds (see {@link #UNLISTED_MODEL}).
     */
    public void costed(String provider, String model, Long micros) {
        if (micros == null) {
            unpriced.labelValues(provider, model).inc();
        } else {
            cost.labelValues(provider, model).inc(micros);
        }
    }

    /**
     * One routed request ended (or was refused by its key's rules) with {@code status}.
     * {@code endpoint} is the ingress path the gateway's own resources name, never the client's URL.
     */
    public void requestEnded(String endpoint, int status) {
        endpointRequests.labelValues(endpoint, Integer.toString(status)).inc();
    }

    public void retried(String provider, String kind) {
        retries.labelValues(provider, kind).inc();
    }

    public void fellBack(String from, String to, String kind) {
        fallbacks.labelValues(from, to, kind).inc();
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    /**
     * Wraps a provider so every call through it is measured.
     *
     * @param listsModel whether the provider lists a model id; unlisted ids share one label
     */
    public Provider instrument(Provider provider, Predicate<String> listsModel) {
        return new InstrumentedProvider(provider, this, listsModel);
    }

    /** The gateway's own time for one request (see {@code switchboard_gateway_overhead_seconds}). */
    public void recordOverhead(String operation, long nanos) {
        overhead.labelValues(operation).observe(Math.max(0, nanos) / 1e9);
    }
}
