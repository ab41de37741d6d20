package io.switchboard.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** What the throwaway test servers ({@link PostgresServer}, {@link RedisServer}) share: tidying up. */
final class ScratchServers {

    private ScratchServers() {}

    /** Removes a server's directory and everything in it; says so on stderr when it cannot. */
    static void deleteTree(Path root, String what) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            System.err.println("Could not delete the " + what + " in " + root + ": " + e);
        }
    }

    /** Takes back the exit hook of a server closed by hand (unless the JVM is exiting, when it runs anyway). */
    static void removeExitHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException exiting) {
            // Already in the shutdown, where the hook runs (again, harmlessly).
        }
    }
}
