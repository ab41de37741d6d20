package io.switchboard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.dropwizard.core.cli.Cli;
import io.dropwizard.core.cli.Command;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.util.JarLocation;
import io.switchboard.SwitchboardApplication;
import io.switchboard.SwitchboardConfiguration;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The documentation checked against the code, so that it stays true: the environment variables
 * docs/configuration.md lists are exactly those config.yml reads, and every example command in
 * README.md and docs/*.md names a command and options the application has (asked of its own
 * command line parser) and scripts that exist.
 */
class DocsAgreeWithCodeTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    /**
     * Variables the code reads itself rather than through config.yml ({@code System.getenv} in
     * the main sources): none. A new one must be added here and to the docs' table.
     */
    private static final Set<String> READ_BY_THE_CODE = Set.of();

    private static final Pattern CONFIG_VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)");
    private static final Pattern GETENV = Pattern.compile("System\\.getenv\\(\\s*\"([^\"]+)\"");
    private static final Pattern TABLE_VARIABLE = Pattern.compile("^\\|\\s*`([A-Z][A-Z0-9_]*)`\\s*\\|");
    private static final Pattern NAMED_VARIABLE = Pattern.compile("\\b((?:SWITCHBOARD|OTEL)_[A-Z0-9_]+)\\b");
    /** {@code java … -jar …service.jar args}, or the class path form that names the application class. */
    private static final Pattern JAR_COMMAND = Pattern.compile(
            "java\\s+(?:\\$JAVA_OPTS\\s+)?(?:-jar\\s+\\S*service\\.jar|-cp\\s+\\S+\\s+io\\.switchboard\\.SwitchboardApplication)"
                    + "((?:\\s[^`#\\n]*)?)");
    /** {@code bin/switchboard args}: the launcher takes the jar's arguments (after its own --print-flags). */
    private static final Pattern LAUNCHER_COMMAND =
            Pattern.compile("(?<![\\w/.-])(?:\\./)?bin/switchboard((?:\\s[^`#\\n]*)?)");
    /** The variables bin/switchboard reads. */
    private static final Pattern LAUNCHER_VARIABLE = Pattern.compile("\\$\\{?(SWITCHBOARD_[A-Z0-9_]+)");
    /** A repository path a reader is told to run or read: scripts/…, .ci/…, ./mvnw. */
    private static final Pattern REPOSITORY_PATH =
            Pattern.compile("(?<![\\w/.-])((?:scripts|\\.ci)/[\\w./<>-]*|\\./mvnw(?:\\.cmd)?)");

    // ------------------------------------------------------------------ environment variables

    @Test
    void theEnvironmentVariableTableListsExactlyTheVariablesConfigYmlReads() {
        Set<String> read = configYmlVariables();
        Set<String> documented = documentedVariables();

        assertThat(read).as("variables config.yml reads").hasSizeGreaterThan(20);
        assertThat(codeVariables())
                .as("System.getenv in the main sources: list it in READ_BY_THE_CODE and the docs' table")
                .isSubsetOf(READ_BY_THE_CODE);
        var expected = new TreeSet<>(read);
        expected.addAll(READ_BY_THE_CODE);
        assertThat(new TreeSet<>(documented))
                .as("the variable table of docs/configuration.md#environment-variables")
                .containsExactlyElementsOf(expected);
    }

    @Test
    void everyGatewayVariableTheDocsNameIsOneTheGatewayReads() {
        var read = new TreeSet<>(configYmlVariables());
        read.addAll(READ_BY_THE_CODE);
        var launcher = new TreeSet<String>();
        Matcher launcherReads = LAUNCHER_VARIABLE.matcher(read(ROOT.resolve("bin/switchboard")));
        while (launcherReads.find()) {
            launcher.add(launcherReads.group(1));
        }
        assertThat(launcher).as("what bin/switchboard reads").contains("SWITCHBOARD_JAVA_OPTS", "SWITCHBOARD_CACHE");
        read.addAll(launcher);
        var named = new Mentions();
        var files = new ArrayList<>(docs());
        files.addAll(deployFiles());
        for (Path doc : files) {
            Matcher variable = NAMED_VARIABLE.matcher(read(doc));
            while (variable.find()) {
                named.add(variable.group(1), ROOT.relativize(doc).toString());
            }
        }

        assertThat(named.keys())
                .as("variables named in README.md, docs/*.md and deploy/")
                .isNotEmpty();
        assertThat(named.missingFrom(read))
                .as("named in the docs but read by nothing")
                .isEmpty();
    }

    // ------------------------------------------------------------------ counts and details

    @Test
    void theProviderCountsTheDocsShowAreThoseOfConfigYml() {
        long providers = configYml().path("providers").size();
        assertThat(providers).as("providers in config.yml").isGreaterThan(1);
        Pattern count = Pattern.compile("\\b\\d+ of (\\d+) providers (?:reachable|up)\\b");

        var shown = new ArrayList<String>();
        for (Path doc : docs()) {
            Matcher each = count.matcher(read(doc));
            while (each.find()) {
                shown.add(ROOT.relativize(doc) + ": " + each.group());
                assertThat(Long.parseLong(each.group(1)))
                        .as("%s in %s (config.yml has %d providers)", each.group(), doc.getFileName(), providers)
                        .isEqualTo(providers);
            }
        }
        assertThat(shown).as("provider counts in the docs").isNotEmpty();
    }

    @Test
    void theProviderHealthCheckDetailsAreTheOnesOperationsMdLists() {
        Set<String> emitted = new TreeSet<>();
        Matcher detail = Pattern.compile("withDetail\\(\"([a-z_]+)\"")
                .matcher(read(ROOT.resolve("service/src/main/java/io/switchboard/health/ProviderHealthCheck.java")));
        while (detail.find()) {
            emitted.add(detail.group(1));
        }
        String operations = read(ROOT.resolve("docs/operations.md"));
        int start = operations.indexOf("Each check also carries details:");
        assertThat(start).as("the details sentence in operations.md").isNotNegative();
        String sentence = operations.substring(start, operations.indexOf("\n\n", start));
        Set<String> documented = new TreeSet<>();
        Matcher named = Pattern.compile("`([a-z_]+)`").matcher(sentence);
        while (named.find()) {
            if (!Set.of("closed", "open", "half_open").contains(named.group(1))) {
                documented.add(named.group(1));
            }
        }

        assertThat(emitted).hasSizeGreaterThan(3);
        assertThat(documented).containsExactlyInAnyOrderElementsOf(emitted);
    }

    /** Library types architecture.md names beside the gateway's own. */
    private static final Set<String> LIBRARY_TYPES = Set.of(
            "AuthFilter",
            "Authenticator",
            "ChunkedOutput",
            "ConfiguredCommand",
            "Discoverable",
            "EventOutput",
            "HttpClient",
            "JsonNode",
            "Reader",
            "WriteListener",
            "AsyncContext");

    @Test
    void everyClassAndResourceArchitectureMdNamesExists() {
        Set<String> types = matches(
                Pattern.compile("\\b(?:class|record|interface|enum)\\s+([A-Z]\\w*)"),
                javaFiles("service/src/main/java", "service/src/test/java"));
        String architecture = read(ROOT.resolve("docs/architecture.md"));
        var missing = new TreeSet<String>();
        // `ClassName`, `ClassName.method()`, `ClassName#field`: a type; all capitals is a constant or status.
        Matcher named = Pattern.compile("`([A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*)(?:[.#(][^`]*)?`")
                .matcher(architecture);
        int checked = 0;
        while (named.find()) {
            checked++;
            if (!types.contains(named.group(1)) && !LIBRARY_TYPES.contains(named.group(1))) {
                missing.add(named.group(1));
            }
        }
        Matcher resource = Pattern.compile("`(io/switchboard/[\\w/]+)`").matcher(architecture);
        while (resource.find()) {
            checked++;
            if (!Files.exists(ROOT.resolve("service/src/main/resources").resolve(resource.group(1)))) {
                missing.add(resource.group(1));
            }
        }

        assertThat(checked).isGreaterThan(50);
        assertThat(missing)
                .as("named in docs/architecture.md, not in the repository")
                .isEmpty();
    }

    private static JsonNode configYml() {
        try {
            return new ObjectMapper(new YAMLFactory()).readTree(read(ROOT.resolve("config.yml")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The variables config.yml substitutes, comments left out (a YAML comment starts at a '#' after a space). */
    private static Set<String> configYmlVariables() {
        var names = new LinkedHashSet<String>();
        for (String line : read(ROOT.resolve("config.yml")).lines().toList()) {
            Matcher variable = CONFIG_VARIABLE.matcher(withoutComment(line));
            while (variable.find()) {
                names.add(variable.group(1));
            }
        }
        return names;
    }

    static String withoutComment(String line) {
        for (int i = 0; i < line.length(); i++) {
            if (line.charAt(i) == '#' && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
                return line.substring(0, i);
            }
        }
        return line;
    }

    /** The first column of the table under "## Environment variables" in docs/configuration.md. */
    private static Set<String> documentedVariables() {
        String section = section(read(ROOT.resolve("docs/configuration.md")), "## Environment variables");
        var names = new LinkedHashSet<String>();
        for (String line : section.lines().toList()) {
            Matcher row = TABLE_VARIABLE.matcher(line);
            if (row.find()) {
                names.add(row.group(1));
            }
        }
        return names;
    }

    private static Set<String> codeVariables() {
        return matches(GETENV, javaFiles("service/src/main/java"));
    }

    /** The first group of every match of {@code pattern} in {@code files}. */
    private static Set<String> matches(Pattern pattern, List<Path> files) {
        var found = new TreeSet<String>();
        for (Path file : files) {
            Matcher match = pattern.matcher(read(file));
            while (match.find()) {
                found.add(match.group(1));
            }
        }
        return found;
    }

    private static List<Path> javaFiles(String... roots) {
        var files = new ArrayList<Path>();
        for (String root : roots) {
            try (Stream<Path> walk = Files.walk(ROOT.resolve(root))) {
                walk.filter(path -> path.toString().endsWith(".java")).forEach(files::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return files;
    }

    // ------------------------------------------------------------------ example commands

    @Test
    void everyExampleCommandIsOneTheApplicationParses() {
        Map<List<String>, String> commands = exampleCommands();
        assertThat(commands)
                .as("example commands found in README.md and docs/*.md")
                .hasSizeGreaterThan(15);
        // bin/switchboard's examples too, its own --print-flags taken off.
        assertThat(commands).containsKeys(List.of("train"), List.of("server", "config.yml"));
        Matcher launcher =
                LAUNCHER_COMMAND.matcher("SWITCHBOARD_CACHE=off ./bin/switchboard --print-flags keys list # the flags");
        assertThat(launcher.find()).isTrue();
        assertThat(launcherArguments(launcher.group(1))).containsExactly("keys", "list");

        var problems = new ArrayList<String>();
        commands.forEach((args, where) ->
                check(args).ifPresent(error -> problems.add(where + ": " + String.join(" ", args) + " -> " + error)));

        assertThat(problems).as("example commands the application refuses").isEmpty();
    }

    @Test
    void theCheckRefusesWhatTheApplicationDoesNotHave() {
        assertThat(check(List.of("keys", "create", "--name", "a", "--budget-usd", "5")))
                .isEmpty();
        assertThat(check(List.of("usage", "--group-by", "model", "--from", "2026-12-01")))
                .isEmpty();
        // Unknown options, actions and commands, and a value of the wrong type.
        assertThat(check(List.of("usage", "--group-by", "key", "--since", "2026-01-01")))
                .hasValueSatisfying(error -> assertThat(error).contains("--since"));
        assertThat(check(List.of("keys", "erase", "vk_1")))
                .hasValueSatisfying(error -> assertThat(error).contains("erase"));
        assertThat(check(List.of("keys", "create", "--rpm", "many")))
                .hasValueSatisfying(error -> assertThat(error).contains("--rpm"));
        assertThat(check(List.of("report", "config.yml"))).isPresent();
        // The parser takes an unambiguous prefix ("--budget" for "--budget-usd"); the docs must spell it out.
        assertThat(check(List.of("keys", "create", "--name", "a", "--budget", "5")))
                .hasValue("--budget is not an option of keys (its --help does not list it)");
    }

    @Test
    void theCommandsTheDocsUseDescribeThemselvesAndTheJarSaysItsVersion() {
        var names = new TreeSet<String>();
        exampleCommands().keySet().stream()
                .filter(args -> !args.isEmpty() && !args.get(0).startsWith("-"))
                .forEach(args -> names.add(args.get(0)));
        assertThat(names).contains("server", "check", "keys", "usage", "db", "providers", "models", "chat");

        var help = CommandRunner.run("--help");
        assertThat(help.exitCode()).isZero();
        for (String name : names) {
            assertThat(help.out()).as("--help lists %s", name).contains(name);
            var own = CommandRunner.run(name, "--help");
            assertThat(own.exitCode()).as("%s --help", name).isZero();
            assertThat(own.out()).as("%s --help", name).contains("usage:").contains(name);
        }
        var version = CommandRunner.run("--version");
        assertThat(version.exitCode()).isZero();
        assertThat(version.out()).isNotBlank();
    }

    @Test
    void everyScriptAndPathTheDocsNameExists() {
        var missing = new ArrayList<String>();
        int checked = 0;
        for (Path doc : docs()) {
            Matcher path = REPOSITORY_PATH.matcher(read(doc));
            while (path.find()) {
                String named = path.group(1).replaceAll("[.,:;)]+$", "");
                if (named.contains("<")) {
                    continue; // a placeholder names output a script writes (scripts/bench/results/<time>/)
                }
                checked++;
                Path file = ROOT.resolve(named).normalize();
                if (!Files.exists(file)) {
                    missing.add(ROOT.relativize(doc) + ": " + named);
                } else if (named.endsWith(".sh") || named.equals(".ci/run") || named.equals("./mvnw")) {
                    if (!Files.isExecutable(file)) {
                        missing.add(ROOT.relativize(doc) + ": " + named + " is not executable");
                    }
                }
            }
        }

        assertThat(checked).as("paths found").isGreaterThan(10);
        assertThat(missing).isEmpty();
    }

    /** Each example command's arguments (after the jar), with the first file that shows it. */
    static Map<List<String>, String> exampleCommands() {
        var commands = new LinkedHashMap<List<String>, String>();
        for (Path doc : docs()) {
            List<String> lines = read(doc).lines().toList();
            for (int i = 0; i < lines.size(); i++) {
                int first = i;
                // A shell line continued with a backslash is one command.
                var line = new StringBuilder(lines.get(i));
                while (line.toString().endsWith("\\") && i + 1 < lines.size()) {
                    line.setLength(line.length() - 1);
                    line.append(' ').append(lines.get(++i).strip());
                }
                Matcher command = JAR_COMMAND.matcher(line);
                while (command.find()) {
                    commands.putIfAbsent(arguments(command.group(1)), ROOT.relativize(doc) + ":" + (first + 1));
                }
                Matcher launcher = LAUNCHER_COMMAND.matcher(line);
                while (launcher.find()) {
                    commands.putIfAbsent(
                            launcherArguments(launcher.group(1)), ROOT.relativize(doc) + ":" + (first + 1));
                }
            }
        }
        return commands;
    }

    /** The jar's arguments in a {@code bin/switchboard} command line: the launcher's own --print-flags taken off. */
    static List<String> launcherArguments(String line) {
        var args = arguments(line);
        return !args.isEmpty() && args.get(0).equals("--print-flags") ? args.subList(1, args.size()) : args;
    }

    /**
     * The words of a shell command line up to where it ends ({@code &&}, {@code &}, {@code |},
     * {@code ;}, a redirection), quotes removed; {@code [--flag]} (the docs' "optional") as the flag.
     */
    static List<String> arguments(String line) {
        var words = new ArrayList<String>();
        var word = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else if ("&|;><".indexOf(c) >= 0) {
                break;
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (inWord && quote == 0) {
            words.add(word.toString());
        }
        return words.stream()
                .map(each -> each.startsWith("[") && each.endsWith("]") ? each.substring(1, each.length() - 1) : each)
                .filter(each -> !each.isEmpty())
                .toList();
    }

    /**
     * Whether the application takes {@code args}: they parse, and each option is named in full as
     * the command's own {@code --help} lists it. Empty when all is well, otherwise why not.
     */
    static Optional<String> check(List<String> args) {
        Optional<String> refused = parse(args);
        if (refused.isPresent() || args.isEmpty() || args.get(0).startsWith("-")) {
            return refused;
        }
        String help = CommandRunner.run(args.get(0), "--help").out();
        for (String option : args) {
            String name = option.split("=", 2)[0];
            if (option.startsWith("--")
                    && !Pattern.compile("(?<![\\w-])" + Pattern.quote(name) + "(?![\\w-])")
                            .matcher(help)
                            .find()) {
                return Optional.of(name + " is not an option of " + args.get(0) + " (its --help does not list it)");
            }
        }
        return Optional.empty();
    }

    /**
     * Parses {@code args} with the application's own command line: its commands, each configured
     * as it configures itself, but run as nothing. Empty when they parse, otherwise the parser's
     * complaint.
     */
    static Optional<String> parse(List<String> args) {
        var app = new SwitchboardApplication() {
            void addCommandsTo(Bootstrap<SwitchboardConfiguration> bootstrap) {
                addDefaultCommands(bootstrap);
                initialize(bootstrap);
            }
        };
        var real = new Bootstrap<SwitchboardConfiguration>(app);
        app.addCommandsTo(real);
        var parseOnly = new Bootstrap<SwitchboardConfiguration>(app);
        real.getCommands().forEach(command -> parseOnly.addCommand(new ParseOnly(command)));
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        Optional<Throwable> failure = new Cli(new JarLocation(SwitchboardApplication.class), parseOnly, out, err)
                .run(args.toArray(String[]::new));
        return failure.map(error -> error.getMessage() + " "
                + err.toString(UTF_8).lines().findFirst().orElse(""));
    }

    /** A command as the application configures it, that does nothing when run. */
    private static final class ParseOnly extends Command {

        private final Command real;

        ParseOnly(Command real) {
            super(real.getName(), real.getDescription());
            this.real = real;
        }

        @Override
        public void configure(Subparser subparser) {
            real.configure(subparser);
        }

        @Override
        public void run(Bootstrap<?> bootstrap, Namespace namespace) {
            // parsed: that is all this check asks
        }
    }

    // ------------------------------------------------------------------ reading the docs

    /** What deploys the gateway: the Dockerfile, the compose and Kubernetes files. */
    private static List<Path> deployFiles() {
        var files = new ArrayList<Path>();
        files.add(ROOT.resolve("Dockerfile"));
        try (Stream<Path> deploy = Files.walk(ROOT.resolve("deploy"))) {
            deploy.filter(path -> path.toString().matches(".*\\.(ya?ml|env)$"))
                    .sorted()
                    .forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    private static List<Path> docs() {
        var files = new ArrayList<Path>();
        files.add(ROOT.resolve("README.md"));
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            docs.filter(path -> path.toString().endsWith(".md")).sorted().forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    /** From a heading to the next heading of the same level. */
    private static String section(String markdown, String heading) {
        int start = markdown.indexOf("\n" + heading + "\n");
        assertThat(start).as("%s in the document", heading).isNotNegative();
        String level = heading.substring(0, heading.indexOf(' ') + 1);
        int end = markdown.indexOf("\n" + level, start + heading.length() + 1);
        return end < 0 ? markdown.substring(start) : markdown.substring(start, end);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Names and where each was first seen. */
    private static final class Mentions {
        private final Map<String, String> firstSeen = new java.util.TreeMap<>();

        void add(String name, String where) {
            firstSeen.putIfAbsent(name, where);
        }

        Set<String> keys() {
            return firstSeen.keySet();
        }

        List<String> missingFrom(Set<String> known) {
            return firstSeen.entrySet().stream()
                    .filter(entry -> !known.contains(entry.getKey()))
                    .map(entry -> entry.getKey() + " (" + entry.getValue() + ")")
                    .toList();
        }
    }
}
