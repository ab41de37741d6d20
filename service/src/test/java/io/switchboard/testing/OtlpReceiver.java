package io.switchboard.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.Span;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * An OTLP/HTTP trace collector on 127.0.0.1 for tests: a real HTTP server that accepts
 * {@code POST /v1/traces} with a protobuf {@code ExportTraceServiceRequest}, as OpenTelemetry's
 * exporter sends it, decodes it with the OTLP protobuf classes, and keeps every span it received.
 */
public final class OtlpReceiver implements AutoCloseable {

    private static final HexFormat HEX = HexFormat.of();

    private final HttpServer server;
    private final List<Received> spans = new ArrayList<>();
    private final List<Map<String, List<String>>> exportHeaders = new ArrayList<>();
    private int exports;

    private OtlpReceiver(HttpServer server) {
        this.server = server;
    }

    public static OtlpReceiver start() {
        try {
            var server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            var receiver = new OtlpReceiver(server);
            server.createContext("/", receiver::handle);
            server.setExecutor(Executors.newFixedThreadPool(2, task -> {
                var thread = new Thread(task, "otlp-receiver");
                thread.setDaemon(true);
                return thread;
            }));
            server.start();
            return receiver;
        } catch (IOException e) {
            throw new IllegalStateException("could not start the OTLP receiver", e);
        }
    }

    /** {@code http://127.0.0.1:PORT}: what {@code tracing.endpoint} should be. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!exchange.getRequestMethod().equals("POST")
                    || !exchange.getRequestURI().getPath().equals("/v1/traces")) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            String type = exchange.getRequestHeaders().getFirst("Content-Type");
            if (!"application/x-protobuf".equals(type)) {
                exchange.sendResponseHeaders(415, -1);
                return;
            }
            ExportTraceServiceRequest request;
            try (InputStream body = exchange.getRequestBody()) {
                request = ExportTraceServiceRequest.parseFrom(body);
            }
            synchronized (this) {
                exports++;
                exportHeaders.add(Map.copyOf(exchange.getRequestHeaders()));
                request.getResourceSpansList()
                        .forEach(resource -> resource.getScopeSpansList()
                                .forEach(scope -> scope.getSpansList()
                                        .forEach(span -> spans.add(new Received(resource.getResource(), span)))));
                notifyAll();
            }
            byte[] answer = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
            exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, answer.length == 0 ? -1 : answer.length);
            if (answer.length > 0) {
                exchange.getResponseBody().write(answer);
            }
        }
    }

    /** Every span received so far. */
    public synchronized List<Received> spans() {
        return List.copyOf(spans);
    }

    /** How many export requests arrived. */
    public synchronized int exports() {
        return exports;
    }

    /** The headers of every export request, names as the JDK server spells them. */
    public synchronized List<Map<String, List<String>>> exportHeaders() {
        return List.copyOf(exportHeaders);
    }

    /** Waits until {@code count} spans match {@code which}; fails the test after {@code timeout}. */
    public List<Received> await(Predicate<Received> which, int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (true) {
                var matching = spans.stream().filter(which).collect(Collectors.toList());
                if (matching.size() >= count) {
                    return matching;
                }
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    throw new AssertionError("expected " + count + " matching span(s) within " + timeout + ", got "
                            + matching.size() + "; received: "
                            + spans.stream().map(Received::describe).toList());
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, remaining);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted", e);
                }
            }
        }
    }

    /** Forgets what was received. */
    public synchronized void reset() {
        spans.clear();
        exportHeaders.clear();
        exports = 0;
    }

    @Override
    public void close() {
        server.stop(0);
    }

    /** One span as received, with the resource it came with. */
    public record Received(Resource resource, Span span) {

        public String traceId() {
            return HEX.formatHex(span.getTraceId().toByteArray());
        }

        public String spanId() {
            return HEX.formatHex(span.getSpanId().toByteArray());
        }

        /** Empty for a root span. */
        public String parentSpanId() {
            return HEX.formatHex(span.getParentSpanId().toByteArray());
        }

        public String name() {
            return span.getName();
        }

        public Span.SpanKind kind() {
            return span.getKind();
        }

        public long startNanos() {
            return span.getStartTimeUnixNano();
        }

        public long endNanos() {
            return span.getEndTimeUnixNano();
        }

        /** The attribute's value: a String, Long, Double, Boolean or List; null when absent. */
        public Object attribute(String key) {
            return value(span.getAttributesList(), key);
        }

        public Object resourceAttribute(String key) {
            return value(resource.getAttributesList(), key);
        }

        public boolean hasEvent(String name) {
            return span.getEventsList().stream()
                    .anyMatch(event -> event.getName().equals(name));
        }

        public long eventNanos(String name) {
            return span.getEventsList().stream()
                    .filter(event -> event.getName().equals(name))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no event " + name + " on " + describe()))
                    .getTimeUnixNano();
        }

        public String describe() {
            return span.getKind() + " '" + span.getName() + "' " + spanId() + " parent=" + parentSpanId();
        }

        private static Object value(List<KeyValue> attributes, String key) {
            return attributes.stream()
                    .filter(attribute -> attribute.getKey().equals(key))
                    .findFirst()
                    .map(attribute -> plain(attribute.getValue()))
                    .orElse(null);
        }

        private static Object plain(AnyValue value) {
            return switch (value.getValueCase()) {
                case STRING_VALUE -> value.getStringValue();
                case INT_VALUE -> value.getIntValue();
                case DOUBLE_VALUE -> value.getDoubleValue();
                case BOOL_VALUE -> value.getBoolValue();
                case ARRAY_VALUE ->
                    value.getArrayValue().getValuesList().stream()
                            .map(Received::plain)
                            .toList();
                default -> value.toString();
            };
        }
    }
}
