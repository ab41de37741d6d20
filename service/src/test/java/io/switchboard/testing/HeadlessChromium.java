package io.switchboard.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real browser for page tests: Debian's Chromium, headless, loads a page, runs its scripts
 * (virtual time lets timers and fetches finish), and gives back the DOM as it then stands and
 * every message the page wrote to the console (errors included). {@code .ci/run} installs the
 * {@code chromium} package where it is missing; without it the test fails, it is not skipped.
 */
public final class HeadlessChromium {

    private static final List<String> CANDIDATES =
            List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome");

    /** The page after its scripts ran, and what it said on the console. */
    public record Page(String dom, List<String> console) {}

    private HeadlessChromium() {}

    public static Page load(String url, int virtualTimeMillis) throws IOException, InterruptedException {
        String browser = CANDIDATES.stream()
                .filter(path -> Files.isExecutable(Path.of(path)))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException(
                        "No Chromium at " + CANDIDATES + ": install Debian's chromium package (.ci/run does)"));
        Path profile = Files.createTempDirectory("chromium-profile");
        Path err = Files.createTempFile("chromium", ".log");
        // The flags keep Chromium off the network: this machine reaches nothing but loopback.
        var command = List.of(
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--user-data-dir=" + profile,
                "--enable-logging=stderr",
                "--v=0",
                "--virtual-time-budget=" + virtualTimeMillis,
                "--dump-dom",
                url);
        Process process =
                new ProcessBuilder(command).redirectError(err.toFile()).start();
        byte[] dom;
        try (var out = process.getInputStream()) {
            dom = out.readAllBytes();
        }
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("Chromium did not finish loading " + url + " within 60 s");
        }
        var console = new ArrayList<String>();
        for (String line : Files.readAllLines(err, StandardCharsets.UTF_8)) {
            if (line.contains(":CONSOLE")) {
                console.add(line.substring(line.indexOf(']') + 1).strip());
            }
        }
        Files.deleteIfExists(err);
        return new Page(new String(dom, StandardCharsets.UTF_8), console);
    }
}
