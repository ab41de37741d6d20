package io.switchboard.tracing;

import io.dropwizard.lifecycle.Managed;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.switchboard.provider.http.OutgoingHeaders;
import io.switchboard.routing.CallTracer;
import jakarta.servlet.Filter;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's OpenTelemetry tracing: one SERVER span per client request (the
 * {@linkplain #serverFilter() servlet filter}), a CLIENT span per upstream attempt under it
 * ({@linkplain #calls() the routed calls' tracer}), W3C {@code traceparent}/{@code tracestate}
 * taken from the client and {@linkplain #outgoingHeaders() put on every upstream request}.
 * Spans go in batches to an OTLP/HTTP collector, off the request path; when the collector is slow
 * or away, spans past the queue are dropped, never waited for.
 *
 * <p>Off (the default), there is no SDK, no exporter and no thread: the same pieces run on
 * OpenTelemetry's no-op tracer, which records nothing but still carries a client's trace context
 * through to the upstreams unchanged, as W3C Trace Context asks of an intermediary that does not
 * trace. A request without a {@code traceparent} then costs one header lookup.
 *
 * <p>No global OpenTelemetry instance is set: each gateway (and each test) has its own.
 */
public final class Tracing implements Managed {

    private static final String SCOPE = "io.switchboard";
    private static final Duration EXPORT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration EXPORT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);

    private final boolean enabled;
    private final Tracer tracer;
    private final SdkTracerProvider provider;
    private final TextMapPropagator propagator = W3CTraceContextPropagator.getInstance();

    private Tracing(boolean enabled, Tracer tracer, SdkTracerProvider provider) {
        this.enabled = enabled;
        this.tracer = tracer;
        this.provider = provider;
    }

    /** Tracing as {@code settings} say: off, or exporting to their endpoint. */
    public static Tracing of(TracingSettings settings) {
        if (!settings.enabled()) {
            return new Tracing(false, TracerProvider.noop().get(SCOPE), null);
        }
        var exporter = OtlpHttpSpanExporter.builder()
                .setEndpoint(settings.tracesUrl())
                .setTimeout(EXPORT_TIMEOUT)
                .setConnectTimeout(EXPORT_CONNECT_TIMEOUT);
        settings.headers().forEach(exporter::addHeader);
        var attributes = Attributes.builder()
                .put(AttributeKey.stringKey("service.name"), settings.serviceName())
                // Tells apart the instances of a cluster that share a service name.
                .put(
                        AttributeKey.stringKey("service.instance.id"),
                        UUID.randomUUID().toString());
        String version = Tracing.class.getPackage().getImplementationVersion();
        if (version != null) {
            attributes.put(AttributeKey.stringKey("service.version"), version);
        }
        var provider = SdkTracerProvider.builder()
                .setResource(Resource.getDefault().merge(Resource.create(attributes.build())))
                // A client's sampled flag is followed; new traces are sampled at the ratio.
                .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(settings.sampleRatio())))
                .addSpanProcessor(BatchSpanProcessor.builder(exporter.build())
                        .setScheduleDelay(settings.exportInterval())
                        .build())
                .build();
        var tracerBuilder = provider.tracerBuilder(SCOPE);
        if (version != null) {
            tracerBuilder.setInstrumentationVersion(version);
        }
        return new Tracing(true, tracerBuilder.build(), provider);
    }

    /** Whether spans are recorded and exported. */
    public boolean enabled() {
        return enabled;
    }

    /** The servlet filter that begins and ends each request's SERVER span. */
    public Filter serverFilter() {
        return new ServerSpanFilter(tracer, propagator, enabled);
    }

    /** What routing tells of each call: the request span's GenAI attributes and one span per attempt. */
    public CallTracer calls() {
        return new RoutedCallTracer(tracer, enabled);
    }

    /** The trace context of the attempt being sent, as W3C headers on its upstream request. */
    public OutgoingHeaders outgoingHeaders() {
        return header -> propagator.inject(Context.current(), header, (sink, name, value) -> sink.accept(name, value));
    }

    @Override
    public void start() {}

    /** Sends what is still queued (bounded), then stops the exporter. */
    @Override
    public void stop() {
        if (provider != null) {
            provider.shutdown().join(SHUTDOWN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }
}
