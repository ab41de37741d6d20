package io.switchboard.cli;

import io.dropwizard.core.Application;
import io.dropwizard.core.Configuration;
import io.dropwizard.core.cli.Cli;
import io.dropwizard.core.cli.ServerCommand;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.switchboard.warmup.HotPathDriver;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code train}: a training run for the JVM's caches. It starts the whole gateway from a
 * configuration of its own (two free loopback ports, the builtin provider, an OpenAI-type
 * provider whose upstream is the gateway itself, SQLite in a temporary directory, no keys, no
 * local discovery: no network and nothing of the user's), drives its hot path over HTTP with
 * {@link HotPathDriver}, stops it and exits. Run under {@code -XX:ArchiveClassesAtExit} (JDK 17)
 * or {@code -XX:AOTCacheOutput} (JDK 25) it leaves the classes, and on 25 the method profiles,
 * that the next start loads instead of discovering again; {@code bin/switchboard} does that.
 */
public final class TrainCommand<T extends Configuration> extends ServerCommand<T> {

    /** The provider whose upstream is this gateway: a model {@code loop/builtin/echo} crosses HTTP twice. */
    static final String THROUGH_UPSTREAM = "loop/builtin/echo";

    static final String DIRECT = "builtin/echo";

    /** The system properties that would override the run's configuration: none are set. */
    private static final String OVERRIDES_PREFIX = "switchboard.train.none";

    /** Where a run's settings and its outcome travel from {@link #train} to the environment's run. */
    private static final String RUN = "switchboard.train";

    /** One training run: what it is asked to do, and what it did. */
    private static final class Run {
        final int port;
        final long requests;
        final Duration maxTime;
        final int concurrency;
        HotPathDriver.Outcome outcome;

        Run(int port, long requests, Duration maxTime, int concurrency) {
            this.port = port;
            this.requests = requests;
            this.maxTime = maxTime;
            this.concurrency = concurrency;
        }
    }

    public TrainCommand(Application<T> application) {
        super(
                application,
                "train",
                "Start the gateway on free loopback ports with the builtin provider, send it chat requests"
                        + " (JSON and streamed) for a while, and exit: the training run bin/switchboard uses to"
                        + " write the JVM's class-data / AOT cache. No network, no keys, no configuration file.");
    }

    @Override
    public void configure(Subparser subparser) {
        // No configuration file: the run writes its own.
        subparser
                .addArgument("--requests")
                .type(Long.class)
                .setDefault(20_000L)
                .help("stop after this many requests (default 20000)");
        subparser
                .addArgument("--seconds")
                .type(Integer.class)
                .setDefault(30)
                .help("or after this many seconds, whichever is first (default 30)");
        subparser
                .addArgument("--concurrency")
                .type(Integer.class)
                .setDefault(16)
                .help("requests in flight (default 16)");
    }

    @Override
    public void run(Bootstrap<?> bootstrap, Namespace namespace) throws Exception {
        long requests = namespace.getLong("requests");
        int seconds = namespace.getInt("seconds");
        int concurrency = namespace.getInt("concurrency");
        if (requests < 1 || seconds < 1 || concurrency < 1 || concurrency > 1024) {
            throw new CommandFailure("train: --requests and --seconds must be at least 1, --concurrency 1 to 1024");
        }
        @SuppressWarnings("unchecked") // the application's bootstrap, for this command's configuration type
        var outcome = train((Bootstrap<T>) bootstrap, requests, Duration.ofSeconds(seconds), concurrency);
        System.out.println("train: " + summary(outcome));
        if (!outcome.healthy()) {
            throw new CommandFailure("train: too many requests failed; the first: " + outcome.firstFailure());
        }
    }

    /**
     * One training run with {@code bootstrap} (an initialized one of its own: the run registers
     * its metrics there): a gateway from its own configuration in a new temporary directory, sent
     * the mix until {@code requests} or {@code maxTime}, then stopped. The directory is removed
     * when the run went well; else it is kept, for its logs, and named on stderr. The process's
     * logging is the run's own afterwards (stopped): a caller that goes on sets its own up again.
     * The run's configuration is its own file only: {@code bootstrap} is set to read no
     * {@code -Ddw.*} overrides (those are the real server's, a port or a database among them).
     */
    public HotPathDriver.Outcome train(Bootstrap<T> bootstrap, long requests, Duration maxTime, int concurrency)
            throws Exception {
        var factories = bootstrap.getConfigurationFactoryFactory();
        bootstrap.setConfigurationFactoryFactory(
                (type, validator, mapper, prefix) -> factories.create(type, validator, mapper, OVERRIDES_PREFIX));
        Path dir = Files.createTempDirectory("switchboard-train-");
        boolean done = false;
        try {
            int port = freePort();
            Path config = dir.resolve("train.yml");
            Files.writeString(config, configuration(dir, port, freePort()));
            var run = new Run(port, requests, maxTime, concurrency);
            super.run(bootstrap, new Namespace(Map.of("file", config.toString(), RUN, run)));
            done = run.outcome.healthy();
            return run.outcome;
        } finally {
            if (done) {
                delete(dir);
            } else {
                System.err.println("train: its configuration and logs are in " + dir);
            }
        }
    }

    @Override
    protected void run(Environment environment, Namespace namespace, T configuration) throws Exception {
        Run run = namespace.get(RUN);
        var server = configuration.getServerFactory().build(environment);
        server.start();
        try {
            var driver = new HotPathDriver(
                    URI.create("http://127.0.0.1:" + run.port),
                    HotPathDriver.mix(THROUGH_UPSTREAM, DIRECT),
                    run.concurrency);
            run.outcome = driver.run(run.requests, run.maxTime);
        } finally {
            server.stop();
        }
    }

    /** One line: what was sent and how it went. */
    public static String summary(HotPathDriver.Outcome outcome) {
        return String.format(
                Locale.ROOT,
                "%d requests in %.1f s, %d answered, %d failed",
                outcome.sent(),
                outcome.took().toMillis() / 1000.0,
                outcome.ok(),
                outcome.failed());
    }

    @Override
    public void onError(Cli cli, Namespace namespace, Throwable e) {
        if (e instanceof CommandFailure) {
            cli.getStdErr().println(e.getMessage());
            cli.getStdErr().flush();
            return;
        }
        super.onError(cli, namespace, e);
    }

    /** The training gateway: config.yml's shape and defaults, on loopback, with nothing to reach. */
    static String configuration(Path dir, int port, int adminPort) {
        return """
                server:
                  applicationConnectors:
                    - type: http
                      bindHost: 127.0.0.1
                      port: %1$d
                      maxRequestHeaderSize: 8KiB
                      idleTimeout: 30s
                      minRequestDataPerSecond: 1KiB
                      outputBufferSize: 8KiB
                  adminConnectors:
                    - type: http
                      bindHost: 127.0.0.1
                      port: %2$d
                  requestLog:
                    appenders:
                      - type: file
                        currentLogFilename: %3$s/access.log
                        archive: false
                logging:
                  level: INFO
                  loggers:
                    org.eclipse.jetty: WARN
                    org.glassfish.jersey: WARN
                  appenders:
                    - type: file
                      currentLogFilename: %3$s/switchboard.log
                      archive: false
                      logFormat: '%%-5level [%%d{ISO8601,UTC}] [%%X{requestId}] %%logger{36}: %%msg%%n%%rEx'
                gateway:
                  requestTimeout: 300s
                  maxRequestSize: 10MiB
                  requestReadTimeout: 60s
                  localDiscovery:
                    enabled: false
                database:
                  url: jdbc:sqlite:%3$s/train.db
                  migrateOnStart: true
                providers:
                  - name: builtin
                    type: builtin
                    streamDelay: 0ms
                  - name: loop
                    type: openai
                    baseUrl: http://127.0.0.1:%1$d/v1
                    apiKey: train
                    discoverModels: false
                    models: [builtin/echo]
                """.formatted(port, adminPort, dir.toAbsolutePath());
    }

    private static int freePort() throws IOException {
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            System.err.println("train: could not remove " + dir + ": " + e.getMessage());
        }
    }
}
