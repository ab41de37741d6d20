package io.switchboard.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.dropwizard.testing.ResourceHelpers;
import io.switchboard.SwitchboardApplication;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.testing.Behavior;
import io.switchboard.testing.FakeUpstream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keys, spend and budgets outlive the gateway: a key created and used by one gateway works with a
 * second one started on the same SQLite file, which knows what the key spent and refuses it once
 * its budget is used up, exactly where the first would have.
 */
class UsageRestartIntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final FakeUpstream UPSTREAM = GatewayFixture.startUpstream();
    /** 575 micro-dollars a request (see UsageLedgerIntegrationTest): a budget of 0.002 admits four. */
    private static final String COMPLETION = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,"
            + "\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"hi\"},"
            + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":120,\"completion_tokens\":30,"
            + "\"total_tokens\":150,\"prompt_tokens_details\":{\"cached_tokens\":20}}}";

    @TempDir
    static Path directory;

    @AfterAll
    static void stop() {
        UPSTREAM.close();
    }

    @Test
    void aSecondGatewayOnTheSameDatabaseKnowsTheKeyItsSpendAndItsBudget() throws Exception {
        UPSTREAM.on("POST", "/alpha/v1/chat/completions", Behavior.json(200, COMPLETION));
        Path db = directory.resolve("restart.db");
        String secret;
        String id;
        var first = gateway(db);
        first.before();
        try {
            var key = JSON.readTree(adminPost(
                            first,
                            "/api/keys",
                            "{\"name\":\"restart\",\"budget_usd\":\"0.002\",\"budget_period\":\"monthly\",\"max\":1}")
                    .body());
            assertThat(key.has("error")).as("unknown fields are refused").isTrue();
            key = JSON.readTree(adminPost(
                            first,
                            "/api/keys",
                            "{\"name\":\"restart\",\"budget_usd\":\"0.002\",\"budget_period\":\"monthly\"}")
                    .body());
            secret = key.get("key").asText();
            id = key.get("id").asText();
            for (int i = 0; i < 2; i++) {
                assertThat(chat(first, secret).statusCode()).isEqualTo(200);
            }
        } finally {
            first.after(); // a graceful stop writes what the ledger holds
        }

        var second = gateway(db);
        second.before();
        try {
            JsonNode shown = JSON.readTree(admin(second, "/api/keys/" + id).body());
            assertThat(shown.get("name").asText()).isEqualTo("restart");
            assertThat(shown.get("spend_micros").asLong())
                    .as("spend survives the restart")
                    .isEqualTo(2 * 575);
            assertThat(chat(second, secret).statusCode())
                    .as("the key survives the restart")
                    .isEqualTo(200);
            assertThat(chat(second, secret).statusCode()).isEqualTo(200);
            var refused = chat(second, secret);
            assertThat(refused.statusCode())
                    .as("2,300 of 2,000 spent: the budget survives too")
                    .isEqualTo(429);
            assertThat(JSON.readTree(refused.body()).get("error").get("code").asText())
                    .isEqualTo("insufficient_quota");
        } finally {
            second.after();
        }
    }

    private static DropwizardTestSupport<SwitchboardConfiguration> gateway(Path db) {
        return new DropwizardTestSupport<>(
                SwitchboardApplication.class,
                ResourceHelpers.resourceFilePath("usage-test-config.yml"),
                ConfigOverride.config("database.url", "jdbc:sqlite:" + db),
                ConfigOverride.config("providers[0].baseUrl", UPSTREAM.baseUrl() + "/alpha/v1"));
    }

    private static HttpResponse<String> chat(DropwizardTestSupport<SwitchboardConfiguration> app, String secret)
            throws Exception {
        return GatewayFixture.HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.getLocalPort() + "/v1/chat/completions"))
                        .header("Authorization", "Bearer " + secret)
                        .header("Content-Type", "application/json")
                        .timeout(Duration.ofSeconds(10))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"alpha/gpt-4o\",\"max_tokens\":30,"
                                + "\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> adminPost(
            DropwizardTestSupport<SwitchboardConfiguration> app, String path, String body) throws Exception {
        return GatewayFixture.HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.getAdminPort() + path))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> admin(DropwizardTestSupport<SwitchboardConfiguration> app, String path)
            throws Exception {
        return GatewayFixture.HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.getAdminPort() + path))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
