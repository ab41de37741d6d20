package io.switchboard.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code check} refuses what {@code server} would refuse, through the same validation, each
 * problem naming its key path: before, it approved configurations that then failed to start.
 */
class CheckCommandTest {

    @TempDir
    Path directory;

    private String config(String gateway, String providers) throws IOException {
        return Files.writeString(
                        directory.resolve("config.yml"),
                        "gateway:\n  localDiscovery:\n    enabled: false\n" + gateway + "providers:\n" + providers)
                .toString();
    }

    private static final String BUILTIN = "  - name: builtin\n    type: builtin\n";

    @Test
    void aSoundConfigurationPasses() throws IOException {
        var result = CommandRunner.run("check", config("  aliases:\n    fast: builtin/echo\n", BUILTIN));
        assertThat(result.exitCode()).as(result.err()).isZero();
    }

    @Test
    void whatServerRefusesCheckRefusesNamingTheKeyPath() throws IOException {
        String gateway = "  defaultProvider: nobody\n"
                + "  aliases:\n    smart: [ghost/gpt-4o]\n"
                + "  resilience:\n    providers:\n      phantom:\n        retry:\n          maxAttempts: 2\n"
                + "  apiKeysFile: " + directory.resolve("missing-keys.txt") + "\n";
        var result = CommandRunner.run("check", config(gateway, BUILTIN + BUILTIN));

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err())
                .contains("providers: the name 'builtin' is used twice")
                .contains("gateway.defaultProvider: 'nobody' is not the name of a configured provider")
                .contains("gateway.aliases.smart: the target 'ghost/gpt-4o'")
                .contains("gateway.resilience.providers.phantom: no provider has that name")
                .contains("gateway.apiKeysFile: ")
                .doesNotContain("\tat ");
    }

    @Test
    void aMisspelledKeyIsRefusedWithSuggestionsAsTheDocsShow() throws IOException {
        // The application's own configuration factory must be strict too: before, only the tests'
        // factory was, and the application took "requestTimout" silently (docs/configuration.md).
        var result = CommandRunner.run("check", config("  requestTimout: 5s\n", BUILTIN));

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err())
                .contains("Unrecognized field at: gateway.requestTimout")
                .contains("Did you mean?")
                .contains("requestTimeout");
    }

    @Test
    void anUnknownProviderTypeNamesItsKeyAndTheTypesThereAre() throws IOException {
        var result = CommandRunner.run(
                "check",
                config("", BUILTIN + "  - name: claude\n    type: antropic\n    baseUrl: http://127.0.0.1:1/v1\n"));

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err())
                .contains("providers[1].type: \"antropic\" is not a type there; one of anthropic, azure, builtin,"
                        + " gemini, openai")
                .doesNotContain("POJO")
                .doesNotContain("reference chain");
    }

    @Test
    void aLocalRuntimeWhoseKindCannotBeToldIsRefused() throws IOException {
        String gateway = "  localDiscovery:\n    runtimes:\n"
                + "      - {name: gpu-box, label: vLLM, baseUrl: 'http://127.0.0.1:8001/v1'}\n";
        var result = CommandRunner.run(
                "check",
                Files.writeString(directory.resolve("runtimes.yml"), "gateway:\n" + gateway + "providers:\n" + BUILTIN)
                        .toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains("gateway.localDiscovery.runtimes[0].kind: 'gpu-box' needs a kind");
    }

    @Test
    void aPerKeyLimitForAKeyThatIsNotConfiguredIsRefused() throws IOException {
        String gateway =
                "  apiKeys: [sk-one-key-for-check-0123456789]\n" + "  rateLimit:\n    perKey:\n      0123456789ab: 5\n";
        var result = CommandRunner.run("check", config(gateway, BUILTIN));

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains("gateway.rateLimit.perKey.0123456789ab: no configured key has this id");
    }
}
