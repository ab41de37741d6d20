package io.switchboard.it;

import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.dropwizard.testing.ResourceHelpers;
import io.switchboard.SwitchboardApplication;
import io.switchboard.SwitchboardConfiguration;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Mistakes in the key setup stop the gateway at startup, saying what is wrong and never a key. */
class ApiKeyStartupTest {

    private static void assertStartupFails(String messagePart, String notInMessage, ConfigOverride... overrides) {
        var app = new DropwizardTestSupport<SwitchboardConfiguration>(
                SwitchboardApplication.class, ResourceHelpers.resourceFilePath("hostile-test-config.yml"), overrides);
        try {
            assertThatThrownBy(app::before)
                    .hasStackTraceContaining(messagePart)
                    .satisfies(e -> assertThat(stackTrace(e)).doesNotContain(notInMessage));
        } finally {
            app.after();
        }
    }

    private static String stackTrace(Throwable e) {
        var out = new StringWriter();
        e.printStackTrace(new PrintWriter(out));
        return out.toString();
    }

    @Test
    void aKeysFileWithARawKeyInItNamesTheLineButNotTheKey() throws Exception {
        Path file = Files.createTempFile("switchboard-keys", ".txt");
        file.toFile().deleteOnExit();
        Files.writeString(file, "# oops\nsb-raw-key-pasted-here-123\n");

        assertStartupFails(
                "line 2 of " + file,
                "sb-raw-key-pasted-here-123",
                ConfigOverride.config("gateway.apiKeysFile", file.toString()));
    }

    @Test
    void aMissingKeysFileStopsStartup() {
        assertStartupFails(
                "gateway.apiKeysFile: cannot read",
                "no-secret-here",
                ConfigOverride.config("gateway.apiKeysFile", "/nonexistent/switchboard-keys.txt"));
    }

    @Test
    void anOverrideForAnUnknownKeyIdStopsStartup() {
        assertStartupFails(
                "gateway.rateLimit.perKey.0123456789ab: no configured key has this id",
                "sb-hostile-suite-key",
                ConfigOverride.config("gateway.rateLimit.perKey.0123456789ab", "5"));
    }
}
