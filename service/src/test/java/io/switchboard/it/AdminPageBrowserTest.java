package io.switchboard.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.ResourceHelpers;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.switchboard.SwitchboardApplication;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.testing.Behavior;
import io.switchboard.testing.FakeUpstream;
import io.switchboard.testing.HeadlessChromium;
import io.switchboard.testing.HtmlTables;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admin page in a real browser (Debian's Chromium, headless) after a known sequence of
 * requests: two virtual keys made over the admin API (one with a budget), chats through the
 * OpenAI SDK to a fake upstream whose usage and prices are known and to the builtin echo. Once the
 * ledger has the rows, the page must show the providers and their status, each key's spend to the
 * micro-dollar and its share of budget, and the spend-by-key and spend-by-model tables' requests,
 * tokens and costs, exactly; and its console must stay silent (no errors, no warnings).
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class AdminPageBrowserTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the fake upstream reports for every chat: prompt (cached included), completion, cached. */
    private static final long PROMPT = 100;

    private static final long COMPLETION = 20;
    private static final long CACHED = 40;
    /**
     * Its cost at the override ($2.50 / $10.00 / $1.25 per million input, output and cached input
     * tokens), in micro-dollars: OpenAI's prompt_tokens include the cached ones, so
     * (100 - 40) × 2.5 + 40 × 1.25 + 20 × 10 = 150 + 50 + 200.
     */
    private static final long FAKE_COST = 400;

    @TempDir
    static Path directory;

    private static final FakeUpstream UPSTREAM = FakeUpstream.start();
    private static final DropwizardAppExtension<SwitchboardConfiguration> APP = new DropwizardAppExtension<>(
            SwitchboardApplication.class,
            ResourceHelpers.resourceFilePath("admin-page-test-config.yml"),
            ConfigOverride.config("database.url", () -> "jdbc:sqlite:" + directory.resolve("page.db")),
            ConfigOverride.config("providers[1].baseUrl", () -> UPSTREAM.baseUrl() + "/v1"));

    @AfterAll
    static void stopUpstream() {
        UPSTREAM.close();
    }

    @Test
    void thePageShowsTheProvidersAndExactlyWhatEachKeyAndModelSpent() throws Exception {
        UPSTREAM.on("POST", "/v1/chat/completions", Behavior.json(200, completion()));
        var teamA = createKey("{\"name\":\"team-a\",\"tags\":{\"team\":\"a\"},\"budget_usd\":\"0.05\","
                + "\"budget_period\":\"monthly\"}");
        var teamB = createKey("{\"name\":\"Équipe B #2\",\"tags\":{\"team\":\"b\"}}");
        var a = client(teamA.get("key").asText());
        var b = client(teamB.get("key").asText());
        awaitKnown(a);
        awaitKnown(b);

        // The sequence: team-a three chats upstream; team-b two upstream and two with the echo.
        for (int i = 0; i < 3; i++) {
            assertFakeUsage(chat(a, "fake/gpt-4o"));
        }
        for (int i = 0; i < 2; i++) {
            assertFakeUsage(chat(b, "fake/gpt-4o"));
        }
        long echoPrompt = 0;
        long echoCompletion = 0;
        for (int i = 0; i < 2; i++) {
            var usage = chat(b, "builtin/echo").usage().orElseThrow();
            echoPrompt += usage.promptTokens();
            echoCompletion += usage.completionTokens();
        }
        assertThat(echoPrompt).as("the echo reports tokens").isPositive();
        awaitLedgerRows(7);

        var page = HeadlessChromium.load("http://127.0.0.1:" + APP.getAdminPort() + "/ui/", 5000);
        assertThat(page.console()).as("the page's console").isEmpty();
        var tables = HtmlTables.parse(page.dom());
        assertThat(tables.attributes("body")).as("the page loaded all its data").containsEntry("data-loaded", "true");
        assertThat(tables.attributes("error")).as("the error line").containsKey("hidden");

        // Providers and their status, in config order.
        assertThat(tables.rows("providers"))
                .extracting(HtmlTables.Row::cells)
                .containsExactly(
                        List.of("builtin", "builtin", "up", "3", ""), List.of("fake", "openai", "up", "1", ""));
        assertThat(tables.rows("providers").get(1).attributes()).containsEntry("data-provider", "fake");

        // Keys: spend this period to the micro-dollar, and the share of the budget.
        String resetsAt = teamA.get("budget_resets_at").asText();
        assertThat(tables.rows("keys"))
                .extracting(HtmlTables.Row::cells)
                .containsExactly(
                        List.of(
                                "team-a",
                                teamA.get("prefix").asText() + "…",
                                "$0.050000 monthly",
                                "$0.001200",
                                "2.4%",
                                resetsAt,
                                "enabled"),
                        List.of(
                                "Équipe B #2",
                                teamB.get("prefix").asText() + "…",
                                "none",
                                "$0.000800",
                                "–",
                                "–",
                                "enabled"));
        assertThat(tables.rows("keys").get(0).attributes())
                .containsEntry("data-key", teamA.get("id").asText());

        // Spend by key and by model: requests, tokens in and out, cost.
        assertThat(tables.rows("spend-by-key"))
                .extracting(HtmlTables.Row::cells)
                .containsExactlyInAnyOrder(
                        List.of("team-a", "3", "" + 3 * PROMPT, "" + 3 * COMPLETION, usd(3 * FAKE_COST)),
                        List.of(
                                "Équipe B #2",
                                "4",
                                "" + (2 * PROMPT + echoPrompt),
                                "" + (2 * COMPLETION + echoCompletion),
                                usd(2 * FAKE_COST)));
        assertThat(tables.rows("spend-by-model"))
                .extracting(HtmlTables.Row::cells)
                .containsExactly(
                        List.of("echo", "2", "" + echoPrompt, "" + echoCompletion, "$0.000000"),
                        List.of("gpt-4o", "5", "" + 5 * PROMPT, "" + 5 * COMPLETION, "$0.002000"));
        assertThat(usd(5 * FAKE_COST)).isEqualTo("$0.002000");

        // The charts: one bar per key and per priced model today, each titled with its spend.
        assertThat(page.dom())
                .contains(
                        " team-a: $0.001200</title>", " Équipe B #2: $0.000800</title>", " gpt-4o: $0.002000</title>");
    }

    /** Micro-dollars as the page writes them. */
    private static String usd(long micros) {
        return String.format("$%d.%06d", micros / 1_000_000, micros % 1_000_000);
    }

    private static void assertFakeUsage(ChatCompletion completion) {
        var usage = completion.usage().orElseThrow();
        assertThat(usage.promptTokens()).isEqualTo(PROMPT);
        assertThat(usage.completionTokens()).isEqualTo(COMPLETION);
    }

    private static ChatCompletion chat(OpenAIClient client, String model) {
        return client.chat()
                .completions()
                .create(ChatCompletionCreateParams.builder()
                        .model(model)
                        .maxCompletionTokens(50)
                        .addUserMessage("How much did this cost?")
                        .build());
    }

    private static OpenAIClient client(String secret) {
        return OpenAIOkHttpClient.builder()
                .baseUrl(GatewayFixture.baseUrl(APP) + "/v1")
                .apiKey(secret)
                .maxRetries(0)
                .timeout(Duration.ofSeconds(10))
                .build();
    }

    /** A new key counts at the API port within a second (the key cache polls); wait for it. */
    private static void awaitKnown(OpenAIClient client) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (true) {
            try {
                client.models().list();
                return;
            } catch (com.openai.errors.UnauthorizedException notYet) {
                assertThat(System.nanoTime())
                        .as("the new key known to the API port")
                        .isLessThan(deadline);
                Thread.sleep(20);
            }
        }
    }

    private static void awaitLedgerRows(long expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        long rows;
        while ((rows = ledgerRows()) != expected) {
            assertThat(rows).as("ledger rows").isLessThan(expected);
            assertThat(System.nanoTime())
                    .as("the ledger has %d rows, not %d", rows, expected)
                    .isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private static long ledgerRows() throws Exception {
        try (var connection = DriverManager.getConnection("jdbc:sqlite:" + directory.resolve("page.db"));
                var statement = connection.createStatement();
                var result = statement.executeQuery("SELECT COUNT(*) FROM usage_ledger")) {
            result.next();
            return result.getLong(1);
        }
    }

    private static JsonNode createKey(String body) throws Exception {
        var response = GatewayFixture.HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + APP.getAdminPort() + "/api/keys"))
                        .header("Content-Type", "application/json")
                        .timeout(Duration.ofSeconds(10))
                        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return JSON.readTree(response.body());
    }

    /** A chat.completion from the fake upstream with the usage above. */
    private static String completion() {
        return "{\"id\":\"chatcmpl-page\",\"object\":\"chat.completion\",\"created\":1741569952,\"model\":\"gpt-4o\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"About 400 micro-dollars.\","
                + "\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":" + PROMPT + ",\"completion_tokens\":" + COMPLETION
                + ",\"total_tokens\":" + (PROMPT + COMPLETION) + ",\"prompt_tokens_details\":{\"cached_tokens\":"
                + CACHED + "}}}";
    }
}
