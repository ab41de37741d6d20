package io.switchboard.architecture;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The package rules of docs/architecture.md, checked against the main sources: which package may
 * use which, and no cycle between packages. A package uses another when one of its files names a
 * class of it (an import or a fully qualified name). Change the table here and in the doc together.
 */
class PackageDependencyTest {

    private static final Path SOURCES = Path.of("src/main/java");
    private static final String ROOT = "io.switchboard";
    private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);
    private static final Pattern NAMED = Pattern.compile("\\b(io\\.switchboard(?:\\.[a-z]\\w*)*)\\.[A-Z]");
    private static final Set<String> ADAPTER_USES = Set.of("api", "provider", "provider.http", "provider.sse");

    /** What each package may use, by name under io.switchboard; the root may use everything. */
    private static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
            Map.entry("api", Set.of()),
            Map.entry("provider", Set.of("api")),
            Map.entry("provider.sse", Set.of("provider")),
            Map.entry("provider.http", Set.of("api", "provider", "provider.sse")),
            Map.entry("registry", Set.of("provider")),
            Map.entry("routing", Set.of("api", "provider", "registry")),
            Map.entry("metrics", Set.of("api", "provider")),
            Map.entry("health", Set.of("registry")),
            Map.entry("auth", Set.of("api")),
            Map.entry("resources", Set.of("api", "provider", "registry", "routing")),
            Map.entry("openapi", Set.of("api", "resources")),
            Map.entry("messages", Set.of("api", "provider", "resources", "routing", "usage")),
            Map.entry("responses", Set.of("api", "provider", "resources", "routing", "store")),
            Map.entry("store", Set.of()),
            Map.entry("warmup", Set.of()),
            Map.entry("usage", Set.of("api", "store")),
            Map.entry("admin", Set.of("api", "auth", "registry", "resources", "store", "usage")),
            Map.entry("tracing", Set.of("api", "provider", "provider.http", "resources", "routing")),
            Map.entry("cluster", Set.of("api", "auth", "routing", "usage")),
            Map.entry(
                    "config",
                    Set.of(
                            "auth",
                            "cluster",
                            "openapi",
                            "provider",
                            "provider.http",
                            "registry",
                            "routing",
                            "store",
                            "tracing",
                            "usage")),
            Map.entry(
                    "core",
                    Set.of(
                            "api",
                            "auth",
                            "cluster",
                            "config",
                            "metrics",
                            "provider",
                            "provider.http",
                            "provider.openai",
                            "registry",
                            "routing",
                            "store",
                            "usage")),
            Map.entry(
                    "cli",
                    Set.of(
                            "admin",
                            "api",
                            "config",
                            "core",
                            "provider",
                            "registry",
                            "routing",
                            "store",
                            "usage",
                            "warmup")));

    @Test
    void everyPackageUsesOnlyWhatTheTableAllows() throws IOException {
        var problems = new ArrayList<String>();
        uses().forEach((from, targets) -> {
            if (from.isEmpty()) {
                return; // the composition root builds everything
            }
            Set<String> allowed = allowed(from);
            assertThat(allowed).as("package %s is missing from the table", from).isNotNull();
            for (String to : targets) {
                if (!allowed.contains(to)) {
                    problems.add(from + " -> " + (to.isEmpty() ? "(root)" : to));
                }
            }
        });
        assertThat(problems).as("uses the table does not allow").isEmpty();
    }

    @Test
    void noPackageCycle() throws IOException {
        var graph = uses();
        for (String start : graph.keySet()) {
            // Depth-first from each package: reaching it again is a cycle; the path names it.
            Deque<List<String>> paths = new ArrayDeque<>();
            paths.push(List.of(start));
            var seen = new TreeSet<String>();
            while (!paths.isEmpty()) {
                List<String> path = paths.pop();
                for (String next : graph.getOrDefault(path.get(path.size() - 1), Set.of())) {
                    var longer = new ArrayList<>(path);
                    longer.add(next);
                    assertThat(next).as("a cycle: %s", longer).isNotEqualTo(start);
                    if (seen.add(next)) {
                        paths.push(longer);
                    }
                }
            }
        }
    }

    private static Set<String> allowed(String pkg) {
        if (ALLOWED.containsKey(pkg)) {
            return ALLOWED.get(pkg);
        }
        if (pkg.startsWith("provider.")) {
            // An adapter: the SPI, the shared HTTP and SSE layers; Azure reuses the OpenAI adapter.
            return pkg.equals("provider.azure") ? union(ADAPTER_USES, Set.of("provider.openai")) : ADAPTER_USES;
        }
        return null;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        var all = new TreeSet<>(a);
        all.addAll(b);
        return all;
    }

    /** Package (relative to io.switchboard, "" for the root) to the packages it uses. */
    private static Map<String, Set<String>> uses() throws IOException {
        var graph = new TreeMap<String, Set<String>>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String text = Files.readString(file);
                var pkg = PACKAGE.matcher(text);
                assertThat(pkg.find()).as("%s has a package line", file).isTrue();
                String from = relative(pkg.group(1));
                var targets = graph.computeIfAbsent(from, key -> new TreeSet<>());
                var named = NAMED.matcher(text);
                while (named.find()) {
                    String to = relative(named.group(1));
                    if (!to.equals(from)) {
                        targets.add(to);
                    }
                }
            }
        }
        return new HashMap<>(graph);
    }

    private static String relative(String pkg) {
        return pkg.equals(ROOT) ? "" : pkg.substring(ROOT.length() + 1);
    }
}
