package io.switchboard.cli;

import io.switchboard.SwitchboardApplication;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicReference;

import static java.nio.charset.StandardCharsets.UTF_8;

/** Runs a command in-process as {@code main} runs it: stdout and stderr captured, a fatal error as exit code 1. */
final class CommandRunner {

    private CommandRunner() {}

    record Result(int exitCode, String out, String err) {}

    static synchronized Result run(String... args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        var failure = new AtomicReference<Throwable>();
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        System.setOut(new PrintStream(out, true, UTF_8));
        System.setErr(new PrintStream(err, true, UTF_8));
        try {
            new SwitchboardApplication() {
                @Override
                protected void onFatalError(Throwable t) {
                    failure.set(t);
                }
            }.run(args);
        } catch (Exception e) {
            failure.set(e);
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
        return new Result(failure.get() == null ? 0 : 1, out.toString(UTF_8), err.toString(UTF_8));
    }
}
