package io.switchboard.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL cluster for tests, from the machine's own server binaries (Debian's
 * {@code postgresql} package, under {@code /usr/lib/postgresql/<version>/bin}): initdb into a
 * temporary directory, started on a free loopback port with its socket in that directory, trust
 * authentication, durability off (it is thrown away). {@link #shared()} is the one cluster of the
 * JVM, stopped at exit; each test class takes a fresh database of it with {@link #createDatabase()}.
 * A test that stops and restarts the server starts its own with {@link #startNew()}.
 *
 * <p>PostgreSQL refuses to run as root, so as root (as CI runs) initdb and pg_ctl run as the
 * {@code postgres} OS user, in a directory that user owns. Without the binaries this fails with
 * what to install: the tests need a real server, and skipping them would hide that.
 */
public final class PostgresServer implements AutoCloseable {

    private static final Path INSTALLS = Path.of("/usr/lib/postgresql");
    private static final int MIN_VERSION = 15;
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(90);

    private final Path bin;
    private final Path root;
    private final Path data;
    private final int port;
    private final boolean asPostgresUser;
    private final AtomicInteger databases = new AtomicInteger();
    private final Thread cleanup;

    private PostgresServer(Path bin, Path root, int port, boolean asPostgresUser) {
        this.bin = bin;
        this.root = root;
        this.data = root.resolve("data");
        this.port = port;
        this.asPostgresUser = asPostgresUser;
        this.cleanup = new Thread(this::destroy, "postgres-test-cluster-cleanup");
    }

    /** The JVM's cluster, started on first use and stopped when the JVM exits. */
    public static PostgresServer shared() {
        return Shared.get();
    }

    /** A cluster of its own (e.g. to stop and restart it); the caller closes it. */
    public static PostgresServer startNew() {
        Path bin = binaries();
        boolean root = isRoot();
        try {
            Path dir = Files.createTempDirectory("switchboard-pg-");
            if (root) {
                Files.setOwner(dir, postgresUser(dir));
            }
            var server = new PostgresServer(bin, dir, freePort(), root);
            Runtime.getRuntime().addShutdownHook(server.cleanup);
            server.run(
                    "initdb",
                    "-D",
                    server.data.toString(),
                    "-U",
                    "postgres",
                    "-A",
                    "trust",
                    "-E",
                    "UTF8",
                    "--locale=C",
                    "--no-sync",
                    "--no-instructions");
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot set up a PostgreSQL test cluster", e);
        }
    }

    /** A new, empty database; its JDBC URL (user included) is returned. */
    public String createDatabase() {
        String name = "test_" + databases.incrementAndGet() + "_"
                + ProcessHandle.current().pid();
        try (var connection = DriverManager.getConnection(jdbcUrl("postgres"));
                var statement = connection.createStatement()) {
            // The name is made here, never taken from input.
            statement.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot create a test database on port " + port, e);
        }
        return jdbcUrl(name);
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=postgres";
    }

    public int port() {
        return port;
    }

    /** Starts the server (again), on the same port; returns when it accepts connections. */
    public void start() {
        run(
                "pg_ctl",
                "-D",
                data.toString(),
                "-l",
                root.resolve("server.log").toString(),
                "-w",
                "-t",
                "60",
                "-o",
                "-p " + port + " -k " + root + " -c listen_addresses=127.0.0.1 -c fsync=off"
                        + " -c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
                "start");
    }

    /** Stops the server the way an operator would (open connections are cut); the data stays. */
    public void stop() {
        run("pg_ctl", "-D", data.toString(), "-m", "fast", "-w", "stop");
    }

    @Override
    public void close() {
        destroy();
        ScratchServers.removeExitHook(cleanup);
    }

    private synchronized void destroy() {
        if (!Files.exists(root)) {
            return;
        }
        if (Files.exists(data.resolve("postmaster.pid"))) {
            try {
                run("pg_ctl", "-D", data.toString(), "-m", "immediate", "-w", "stop");
            } catch (RuntimeException e) {
                System.err.println("Could not stop the PostgreSQL test cluster in " + root + ": " + e.getMessage());
            }
        }
        ScratchServers.deleteTree(root, "PostgreSQL test cluster");
    }

    private void run(String program, String... args) {
        var command = new ArrayList<String>();
        if (asPostgresUser) {
            command.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        command.add(bin.resolve(program).toString());
        command.addAll(List.of(args));
        var builder = new ProcessBuilder(command).redirectErrorStream(true).directory(root.toFile());
        builder.environment().put("LC_ALL", "C");
        builder.environment().put("LANG", "C");
        try {
            Process process = builder.start();
            process.getOutputStream().close();
            // pg_ctl start leaves the server running with our stdout; read what the command itself says.
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish in " + COMMAND_TIMEOUT);
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed (exit " + process.exitValue()
                        + "):\n" + new String(output, StandardCharsets.UTF_8) + serverLog());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running " + program, e);
        }
    }

    private String serverLog() {
        try {
            Path log = root.resolve("server.log");
            return Files.exists(log) ? "\nserver.log:\n" + Files.readString(log) : "";
        } catch (IOException e) {
            return "\n(server.log unreadable: " + e + ")";
        }
    }

    /** The newest installed server's bin directory, 15 or later. */
    private static Path binaries() {
        List<Path> found = new ArrayList<>();
        if (Files.isDirectory(INSTALLS)) {
            try (Stream<Path> versions = Files.list(INSTALLS)) {
                versions.filter(dir -> dir.getFileName().toString().matches("\\d+"))
                        .filter(dir -> Files.isExecutable(dir.resolve("bin/initdb"))
                                && Files.isExecutable(dir.resolve("bin/pg_ctl")))
                        .forEach(found::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        var newest = found.stream()
                .max(Comparator.comparingInt(
                        dir -> Integer.parseInt(dir.getFileName().toString())));
        if (newest.isEmpty() || Integer.parseInt(newest.get().getFileName().toString()) < MIN_VERSION) {
            throw new IllegalStateException("No PostgreSQL " + MIN_VERSION + "+ server binaries: the database tests"
                    + " need /usr/lib/postgresql/<version>/bin/initdb and pg_ctl (Debian: apt-get install postgresql;"
                    + " .ci/run installs it). Found: " + found);
        }
        return newest.get().resolve("bin");
    }

    private static boolean isRoot() {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    private static UserPrincipal postgresUser(Path dir) throws IOException {
        try {
            return dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
        } catch (UserPrincipalNotFoundException e) {
            throw new IllegalStateException(
                    "Running as root, the PostgreSQL test cluster runs as the OS user"
                            + " 'postgres', which does not exist (Debian's postgresql package creates it; so does .ci/run)",
                    e);
        }
    }

    private static int freePort() throws IOException {
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** The shared cluster, or why it could not start: said again to every test class that asks. */
    private static final class Shared {

        private static final Object CLUSTER = startOrFailure();

        static PostgresServer get() {
            if (CLUSTER instanceof PostgresServer server) {
                return server;
            }
            throw new IllegalStateException("The PostgreSQL test cluster did not start", (RuntimeException) CLUSTER);
        }

        private static Object startOrFailure() {
            try {
                return startNew();
            } catch (RuntimeException e) {
                return e;
            }
        }
    }
}
