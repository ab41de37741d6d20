package io.switchboard.cluster;

import com.codahale.metrics.health.HealthCheck;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The gateway's one connection to Redis (Lettuce: non-blocking, every command of every request
 * pipelined on one socket), with what it takes to live with a Redis that goes away: commands
 * fail at once while the connection is down instead of queueing, Lettuce reconnects by itself,
 * and a Redis that was down when the gateway started is retried every second. Scripts are run by
 * their SHA-1 and sent again when Redis answers NOSCRIPT (after a restart).
 *
 * <p>Metrics: {@code switchboard_redis_command_seconds} (by command), {@code
 * switchboard_redis_errors_total} (by command), {@code switchboard_redis_fallbacks_total} (requests
 * that met the failure policy) and {@code switchboard_redis_up}.
 */
public final class RedisLink implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RedisLink.class);
    private static final Duration RETRY = Duration.ofSeconds(1);

    private final RedisSettings settings;
    private final RedisURI redisUri;
    private final RedisClient client;
    private final ScheduledExecutorService scheduler;
    private final Histogram latency;
    private final Counter errors;
    private final Counter fallbacks;
    private volatile StatefulRedisConnection<String, String> connection;
    private volatile StatefulRedisPubSubConnection<String, String> pubSub;
    private volatile boolean closed;
    private volatile boolean failing;
    private final java.util.List<Subscription> subscriptions = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** A script of this package, with its SHA-1 as Redis will know it. */
    public record Script(String name, String source, String sha) {

        /** Every script loaded so far, sent to Redis on each connection. */
        static final List<Script> ALL = new java.util.concurrent.CopyOnWriteArrayList<>();

        static Script load(String name) {
            var script = read(name);
            ALL.add(script);
            return script;
        }

        private static Script read(String name) {
            try (InputStream in = RedisLink.class.getResourceAsStream(name)) {
                if (in == null) {
                    throw new IllegalStateException("Missing script " + name);
                }
                String source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                var digest = java.security.MessageDigest.getInstance("SHA-1");
                return new Script(
                        name,
                        source,
                        java.util.HexFormat.of().formatHex(digest.digest(source.getBytes(StandardCharsets.UTF_8))));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private record Subscription(String channel, BiConsumer<String, String> listener) {}

    public RedisLink(RedisSettings settings, ScheduledExecutorService scheduler, PrometheusRegistry metrics) {
        this.settings = settings;
        this.scheduler = scheduler;
        redisUri = RedisURI.create(settings.uri());
        if (settings.password() != null) {
            redisUri.setAuthentication(settings.password());
        }
        redisUri.setTimeout(commandTimeout(settings.timeout()));
        client = RedisClient.create(redisUri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                // While the connection is down a command fails at once: no request waits on a queue.
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                // Requests stop waiting at settings.timeout; Lettuce gives up on a command later,
                // so that a late answer is still read (and what it took given back).
                .timeoutOptions(TimeoutOptions.enabled(commandTimeout(settings.timeout())))
                .socketOptions(SocketOptions.builder()
                        .connectTimeout(Duration.ofSeconds(2))
                        .keepAlive(true)
                        .build())
                .build());
        latency = Histogram.builder()
                .name("switchboard_redis_command_seconds")
                .help("Time from sending a command to Redis to its answer (or failure), by command")
                .labelNames("command")
                .classicUpperBounds(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1)
                .register(metrics);
        errors = Counter.builder()
                .name("switchboard_redis_errors_total")
                .help("Redis commands that failed or did not answer within cluster.redis.timeout, by command")
                .labelNames("command")
                .register(metrics);
        fallbacks = Counter.builder()
                .name("switchboard_redis_fallbacks_total")
                .help("Requests whose limits were taken by this instance alone (policy open) or refused"
                        + " with a 503 (policy closed) because Redis did not answer, by policy")
                .labelNames("policy")
                .register(metrics);
        GaugeWithCallback.builder()
                .name("switchboard_redis_up")
                .help("1 while the connection to Redis is open, else 0")
                .callback(callback -> callback.call(connected() ? 1 : 0))
                .register(metrics);
    }

    public RedisSettings settings() {
        return settings;
    }

    /** Connects, or keeps trying every second in the background; never fails the start. */
    public void start() {
        openConnection();
    }

    private void openConnection() {
        if (closed) {
            return;
        }
        CompletionStage<StatefulRedisConnection<String, String>> opening = client.connectAsync(StringCodec.UTF8, uri());
        opening.whenComplete((opened, failure) -> {
            if (failure != null) {
                if (!failing) {
                    failing = true;
                    LOG.warn(
                            "Redis at {}: cannot connect ({}); limits fall back as cluster.redis.failurePolicy says,"
                                    + " retrying every {} s",
                            describe(),
                            rootMessage(failure),
                            RETRY.toSeconds());
                }
                scheduler.schedule(this::openConnection, RETRY.toMillis(), TimeUnit.MILLISECONDS);
                return;
            }
            if (closed) {
                opened.closeAsync();
                return;
            }
            // Scripts are loaded at once, so no request pays for sending one.
            for (Script script : Script.ALL) {
                opened.async().scriptLoad(script.source());
            }
            connection = opened;
            failing = false;
            LOG.info("Redis at {}: connected; limits are shared", describe());
            subscriptions.forEach(this::subscribeNow);
        });
    }

    private RedisURI uri() {
        return redisUri;
    }

    /** How long Lettuce waits for any command's answer: ten times the requests' bound, at least a second. */
    static Duration commandTimeout(Duration requestBound) {
        Duration tenfold = requestBound.multipliedBy(10);
        return tenfold.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : tenfold;
    }

    /** Whether commands can be sent now; false while disconnected (they would fail at once). */
    public boolean connected() {
        var current = connection;
        return current != null && current.isOpen();
    }

    /**
     * Runs a script and waits for its answer at most {@code cluster.redis.timeout}. A script that
     * was not answered in time may still have run: its answer, if it comes (within {@link
     * #commandTimeout}), goes to {@code lateReply}, so that what it took can be given back.
     *
     * @throws RedisUnavailable when Redis is not connected, fails or does not answer in time
     */
    public List<Object> call(
            String command, Script script, String[] keys, Consumer<List<Object>> lateReply, String... args)
            throws RedisUnavailable {
        var future = run(command, script, keys, args);
        try {
            return future.get(settings.timeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            errors.labelValues(command).inc();
            future.thenAccept(lateReply);
            throw new RedisUnavailable("no answer within " + settings.timeout().toMillis() + " ms");
        } catch (ExecutionException e) {
            throw new RedisUnavailable(rootMessage(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RedisUnavailable("interrupted");
        }
    }

    /** Runs a script without waiting for it (settlements): failures are counted, never thrown. */
    public CompletableFuture<List<Object>> send(String command, Script script, String[] keys, String... args) {
        return run(command, script, keys, args);
    }

    private CompletableFuture<List<Object>> run(String command, Script script, String[] keys, String... args) {
        var current = connection;
        if (current == null || !current.isOpen()) {
            errors.labelValues(command).inc();
            return CompletableFuture.failedFuture(new RedisUnavailable("not connected"));
        }
        long start = System.nanoTime();
        var async = current.async();
        CompletableFuture<List<Object>> result = async.<List<Object>>evalsha(
                        script.sha(), ScriptOutputType.MULTI, keys, args)
                .toCompletableFuture()
                .exceptionallyCompose(failure -> unwrap(failure) instanceof RedisNoScriptException
                        ? async.<List<Object>>eval(script.source(), ScriptOutputType.MULTI, keys, args)
                                .toCompletableFuture()
                        : CompletableFuture.failedFuture(failure));
        result.whenComplete((reply, failure) -> {
            latency.labelValues(command).observe((System.nanoTime() - start) / 1e9);
            if (failure != null) {
                errors.labelValues(command).inc();
            }
        });
        return result;
    }

    /** Runs {@code task} on the link's timer after {@code delay} (unless the link is closed by then). */
    public void later(Runnable task, Duration delay) {
        scheduler.schedule(
                () -> {
                    if (!closed) {
                        task.run();
                    }
                },
                delay.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /**
     * Whether {@code failure} means the command never reached Redis (it was refused while the
     * connection was down), so sending it again cannot apply it twice.
     */
    public static boolean neverSent(Throwable failure) {
        Throwable cause = unwrap(failure);
        if (cause instanceof RedisUnavailable) {
            return true;
        }
        String message = cause.getMessage();
        return cause instanceof io.lettuce.core.RedisException
                && message != null
                && (message.contains("not connected") || message.contains("Commands are rejected"));
    }

    /** Publishes {@code message} on {@code channel}, without waiting. */
    public void publish(String channel, String message) {
        var current = connection;
        if (current == null || !current.isOpen()) {
            errors.labelValues("publish").inc();
            return;
        }
        long start = System.nanoTime();
        current.async().publish(channel, message).whenComplete((receivers, failure) -> {
            latency.labelValues("publish").observe((System.nanoTime() - start) / 1e9);
            if (failure != null) {
                errors.labelValues("publish").inc();
            }
        });
    }

    /** Hands every message on {@code channel} to {@code listener} (channel, message), from now on and after reconnects. */
    public void subscribe(String channel, BiConsumer<String, String> listener) {
        var subscription = new Subscription(channel, listener);
        subscriptions.add(subscription);
        if (connected()) {
            subscribeNow(subscription);
        }
    }

    private synchronized void subscribeNow(Subscription subscription) {
        if (pubSub == null) {
            try {
                pubSub = client.connectPubSub(StringCodec.UTF8, uri());
            } catch (RuntimeException e) {
                LOG.warn("Redis at {}: cannot subscribe to {} ({})", describe(), subscription.channel(), e.toString());
                return;
            }
            pubSub.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    for (Subscription each : subscriptions) {
                        if (each.channel().equals(channel)) {
                            each.listener().accept(channel, message);
                        }
                    }
                }
            });
        }
        pubSub.async().subscribe(subscription.channel());
    }

    /** Counts a request that met the failure policy. */
    void fellBack() {
        fallbacks.labelValues(settings.failOpen() ? "open" : "closed").inc();
    }

    /** The admin {@code /healthcheck} entry {@code redis}: a PING within the timeout. */
    public HealthCheck healthCheck() {
        return new HealthCheck() {
            @Override
            protected Result check() {
                var current = connection;
                if (current == null || !current.isOpen()) {
                    return Result.unhealthy("Redis at " + describe() + " is not connected; limits are "
                            + (settings.failOpen()
                                    ? "per instance until it is back"
                                    : "refused (503) until it is back"));
                }
                long start = System.nanoTime();
                try {
                    current.async().ping().get(Math.max(settings.timeout().toMillis(), 250), TimeUnit.MILLISECONDS);
                    return Result.healthy("Redis at " + describe() + " answers PING in "
                            + (System.nanoTime() - start) / 1000 + " µs");
                } catch (Exception e) {
                    return Result.unhealthy("Redis at " + describe() + " does not answer PING: " + rootMessage(e));
                }
            }
        };
    }

    /** Host and port, never the password. */
    public String describe() {
        RedisURI uri = redisUri;
        return (uri.isSsl() ? "rediss://" : "redis://") + uri.getHost() + ":" + uri.getPort() + "/" + uri.getDatabase();
    }

    @Override
    public void close() {
        closed = true;
        var current = connection;
        if (current != null) {
            current.close();
        }
        if (pubSub != null) {
            pubSub.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof java.util.concurrent.CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    private static String rootMessage(Throwable failure) {
        Throwable cause = unwrap(failure);
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
    }

    /** Redis cannot be used for this request: not connected, an error, or no answer in time. */
    public static final class RedisUnavailable extends Exception {
        public RedisUnavailable(String message) {
            super(message, null, false, false);
        }
    }
}
