package io.switchboard.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway Redis for tests: Debian's {@code redis-server} binary ({@value #BINARY}) on a free
 * loopback port, in a temporary directory, persistence off ({@code --save "" --appendonly no}).
 * {@link #stop()} and {@link #start()} again (same port, empty) to play an outage; {@link #close()}
 * stops it and removes its directory (also at JVM exit). Without the binary this fails with what
 * to install: the tests need a real server, and skipping them would hide that.
 */
public final class RedisServer implements AutoCloseable {

    public static final String BINARY = "/usr/bin/redis-server";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

    private final Path dir;
    private final int port;
    private final Thread cleanup;
    private Process process;

    private RedisServer(Path dir, int port) {
        this.dir = dir;
        this.port = port;
        this.cleanup = new Thread(this::destroy, "redis-test-server-cleanup");
    }

    /** A new server, started; the caller closes it. */
    public static RedisServer start() {
        if (!Files.isExecutable(Path.of(BINARY))) {
            throw new IllegalStateException("No " + BINARY + ": the cluster tests need a real Redis"
                    + " (Debian: apt-get install redis-server; .ci/run installs it)");
        }
        try {
            var server = new RedisServer(Files.createTempDirectory("switchboard-redis-"), freePort());
            Runtime.getRuntime().addShutdownHook(server.cleanup);
            server.startAgain();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot set up a Redis test server", e);
        }
    }

    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:<port>/0} */
    public String uri() {
        return "redis://127.0.0.1:" + port + "/0";
    }

    /** Starts the server (again, after {@link #stop()}), on the same port, empty; returns when it answers PING. */
    public synchronized void startAgain() {
        if (process != null && process.isAlive()) {
            return;
        }
        var command = List.of(
                BINARY,
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                dir.toString(),
                "--enable-debug-command",
                "local",
                "--protected-mode",
                "yes",
                "--daemonize",
                "no",
                "--loglevel",
                "warning");
        try {
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("redis.log").toFile())
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start " + BINARY, e);
        }
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited (" + process.exitValue() + "): " + log());
            }
            if (answersPing()) {
                return;
            }
            sleep(20);
        }
        throw new IllegalStateException("redis-server did not answer PING on port " + port + " in " + START_TIMEOUT);
    }

    /** Kills the server (what it held is lost); the port stays this server's for {@link #startAgain()}. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /** Sends one command in Redis's inline form and returns the first line of the answer, e.g. {@code +PONG}. */
    public String command(String inline) {
        try (var socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(2000);
            socket.getOutputStream().write((inline + "\r\n").getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            var in = socket.getInputStream();
            var line = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0 && c != '\n') {
                if (c != '\r') {
                    line.append((char) c);
                }
            }
            return line.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private boolean answersPing() {
        try {
            return "+PONG".equals(command("PING"));
        } catch (UncheckedIOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        destroy();
        ScratchServers.removeExitHook(cleanup);
    }

    private synchronized void destroy() {
        stop();
        ScratchServers.deleteTree(dir, "Redis test directory");
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("redis.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() throws IOException {
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
