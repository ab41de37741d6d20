package io.switchboard.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code keys} and {@code usage}, run in-process on an SQLite file as an operator would run them. */
class KeysCommandTest {

    private static final Pattern ID = Pattern.compile("id: +(vk_[0-9a-f]{16})");
    private static final Pattern SECRET = Pattern.compile("key: +(sk-sb-[0-9a-f]{48})");

    @TempDir
    Path directory;

    private String config() throws IOException {
        return Files.writeString(
                        directory.resolve("config.yml"),
                        "database:\n  url: jdbc:sqlite:" + directory.resolve("keys.db") + "\nproviders: []\n")
                .toString();
    }

    @Test
    void createShowsTheSecretOnceThenListShowUpdateRotateAndRevokeDoWhatTheySay() throws IOException {
        String config = config();
        var created = CommandRunner.run(
                "keys",
                "create",
                "-c",
                config,
                "--name",
                "team-a",
                "--budget-usd",
                "50",
                "--period",
                "monthly",
                "--rpm",
                "600",
                "--tpm",
                "200000",
                "--models",
                "gpt-4o*,claude-*",
                "--expires",
                "2027-01-01",
                "--tags",
                "team=a,owner=bob");
        assertThat(created.exitCode()).as(created.err()).isZero();
        var id = ID.matcher(created.out());
        var secret = SECRET.matcher(created.out());
        assertThat(id.find()).isTrue();
        assertThat(secret.find()).as(created.out()).isTrue();
        assertThat(created.out())
                .contains(
                        "name:     team-a",
                        "budget:   $50.00 monthly",
                        "rpm:      600",
                        "tpm:      200000",
                        "models:   gpt-4o*, claude-*",
                        "expires:  2027-01-01T00:00:00Z",
                        "team=a");

        var listed = CommandRunner.run("keys", "list", "-c", config);
        assertThat(listed.out()).contains(id.group(1), "team-a").doesNotContain(secret.group(1));
        assertThat(listed.out()).contains(secret.group(1).substring(0, 12) + "…");

        var updated = CommandRunner.run("keys", "update", id.group(1), "-c", config, "--budget-usd", "12.5");
        assertThat(updated.out()).contains("budget:   $12.50 monthly", "rpm:      600");

        var rotated = CommandRunner.run("keys", "rotate", id.group(1), "-c", config);
        var newSecret = SECRET.matcher(rotated.out());
        assertThat(newSecret.find()).isTrue();
        assertThat(newSecret.group(1)).isNotEqualTo(secret.group(1));

        var revoked = CommandRunner.run("keys", "revoke", id.group(1), "-c", config);
        assertThat(revoked.out()).contains("state:    revoked");
        assertThat(CommandRunner.run("keys", "list", "-c", config).out()).doesNotContain(id.group(1));
        assertThat(CommandRunner.run("keys", "list", "-c", config, "--include-revoked")
                        .out())
                .contains(id.group(1));
    }

    @Test
    void badInputIsOneLineAndNothingIsStored() throws IOException {
        String config = config();
        for (String[] bad : new String[][] {
            {"--name", "x", "--budget-usd", "-5"},
            {"--name", "x", "--budget-usd", "0.0000001"},
            {"--name", "x", "--period", "hourly", "--budget-usd", "1"},
            {"--name", "x", "--expires", "2027-13-45"},
            {"--name", "x", "--models", "gpt 4o"},
            {"--budget-usd", "1"}
        }) {
            var args = new java.util.ArrayList<>(java.util.List.of("keys", "create", "-c", config));
            args.addAll(java.util.List.of(bad));
            var result = CommandRunner.run(args.toArray(String[]::new));
            assertThat(result.exitCode()).as(String.join(" ", bad)).isEqualTo(1);
            assertThat(result.err()).as(String.join(" ", bad)).isNotBlank().doesNotContain("\tat ");
        }
        assertThat(CommandRunner.run("keys", "list", "-c", config, "--include-revoked")
                        .out()
                        .lines()
                        .count())
                .as("only the header")
                .isEqualTo(1);
        assertThat(CommandRunner.run("keys", "show", "vk_0000000000000000", "-c", config)
                        .err())
                .contains("No key with the id vk_0000000000000000");
    }

    @Test
    void usagePrintsATableEvenWhenTheLedgerIsEmpty() throws IOException {
        var result = CommandRunner.run("usage", "-c", config(), "--group-by", "model");
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).startsWith("MODEL").contains("TOTAL");
    }
}
