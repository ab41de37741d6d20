package io.switchboard.it;

import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.ResourceHelpers;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.switchboard.SwitchboardApplication;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.testing.Behavior;
import io.switchboard.testing.FakeUpstream;
import io.switchboard.testing.OpenAiWire;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 15, point 7: a client that leaves before its answer begins (a JSON call, or a stream
 * before its first chunk) is noticed at once. A raw socket sends a complete request and closes;
 * the fake upstream, which never answers, sees its request aborted within about a second, and
 * the ledger row says the client left. Watching the connection must not cost keep-alive or a
 * pipelined request on the same connection.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class ClientLeavesEarlyIntegrationTest {

    private static final Path DB =
            Path.of("target", "client-leaves-" + System.nanoTime() + ".db").toAbsolutePath();
    private static final FakeUpstream UPSTREAM = GatewayFixture.startUpstream();
    private static final DropwizardAppExtension<SwitchboardConfiguration> APP = new DropwizardAppExtension<>(
            SwitchboardApplication.class,
            ResourceHelpers.resourceFilePath("usage-test-config.yml"),
            ConfigOverride.config("database.url", () -> "jdbc:sqlite:" + DB),
            ConfigOverride.config("gateway.requestTimeout", "30s"),
            ConfigOverride.config("gateway.readTimeout", "30s"),
            ConfigOverride.config("providers[0].baseUrl", () -> UPSTREAM.baseUrl() + "/alpha/v1"),
            ConfigOverride.config("providers[1].baseUrl", () -> UPSTREAM.baseUrl() + "/beta/v1"),
            ConfigOverride.config("providers[2].baseUrl", () -> UPSTREAM.baseUrl() + "/slow/v1"),
            ConfigOverride.config("providers[3].baseUrl", () -> UPSTREAM.baseUrl() + "/flaky/v1"));

    /** Within this of the client's close, the upstream call must be gone (the issue asks for 1 s). */
    private static final Duration ABORTED_WITHIN = Duration.ofMillis(1_000);

    @BeforeAll
    static void script() {
        // alpha and beta never answer: only a client that leaves (or the 30 s deadline) ends a call.
        UPSTREAM.on("POST", "/alpha/v1/chat/completions", Behavior.hang());
        UPSTREAM.on("POST", "/beta/v1/chat/completions", Behavior.hang());
        UPSTREAM.on(
                "POST",
                "/slow/v1/chat/completions",
                Behavior.delay(
                        Duration.ofMillis(400), Behavior.json(200, OpenAiWire.chatCompletion("gpt-4o", "late"))));
    }

    @AfterAll
    static void stop() throws IOException {
        UPSTREAM.close();
        Files.deleteIfExists(DB);
    }

    @Test
    void aClientThatLeavesBeforeItsJsonAnswerAbortsTheUpstreamAtOnce() throws Exception {
        leaveEarly("/alpha/v1/chat/completions", "alpha/gpt-4o", false, "leave-json");
    }

    @Test
    void aClientThatLeavesBeforeItsStreamBeginsAbortsTheUpstreamAtOnce() throws Exception {
        leaveEarly("/beta/v1/chat/completions", "beta/gpt-4o", true, "leave-stream");
    }

    private static void leaveEarly(String upstreamPath, String model, boolean stream, String requestId)
            throws Exception {
        int disconnectsBefore = UPSTREAM.clientDisconnects();
        int requestsBefore = UPSTREAM.count(upstreamPath);
        long closedAt;
        try (var socket = new Socket("127.0.0.1", APP.getLocalPort())) {
            socket.getOutputStream().write(chatRequest(model, stream, requestId, false));
            socket.getOutputStream().flush();
            UPSTREAM.awaitRequests(upstreamPath, requestsBefore + 1, Duration.ofSeconds(5));
            closedAt = System.nanoTime();
        }

        assertThat(UPSTREAM.awaitClientDisconnects(disconnectsBefore + 1, Duration.ofSeconds(5)))
                .as("the upstream call was aborted")
                .isTrue();
        Duration abortedAfter = Duration.ofNanos(System.nanoTime() - closedAt);
        assertThat(abortedAfter)
                .as("time from the client's close to the upstream abort")
                .isLessThan(ABORTED_WITHIN);

        var row = awaitLedgerRow(requestId);
        assertThat(row).as("the ledger row of " + requestId).isPresent();
        assertThat(row.get()).isEqualTo(new LedgerRow(499, "client_left", stream));
    }

    @Test
    void keepAliveAndAPipelinedRequestStillWorkWhileTheConnectionIsWatched() throws Exception {
        try (var socket = new Socket("127.0.0.1", APP.getLocalPort())) {
            socket.setSoTimeout(10_000);
            var out = socket.getOutputStream();
            int before = UPSTREAM.count("/slow/v1/chat/completions");
            out.write(chatRequest("slow/gpt-4o", false, "pipelined-1", false));
            out.flush();
            // The first call is upstream (the connection is watched) when the second request arrives.
            UPSTREAM.awaitRequests("/slow/v1/chat/completions", before + 1, Duration.ofSeconds(5));
            out.write(chatRequest("builtin/echo", false, "pipelined-2", true));
            out.flush();

            String answers = readAll(socket.getInputStream());
            assertThat(answers.split("HTTP/1.1 200 ", -1)).as(answers).hasSize(3);
            assertThat(answers.indexOf("late")).as(answers).isLessThan(answers.indexOf("pipelined-2"));
            assertThat(answers).contains("X-Request-Id: pipelined-1").contains("X-Request-Id: pipelined-2");
        }

        // And an SDK client, whose pool reuses one connection for consecutive calls.
        var client = OpenAIOkHttpClient.builder()
                .baseUrl("http://127.0.0.1:" + APP.getLocalPort() + "/v1")
                .apiKey("unused")
                .build();
        for (int i = 0; i < 3; i++) {
            var completion = client.chat()
                    .completions()
                    .create(ChatCompletionCreateParams.builder()
                            .model("slow/gpt-4o")
                            .addUserMessage("again " + i)
                            .build());
            assertThat(completion.choices().get(0).message().content()).contains("late");
        }
    }

    private static byte[] chatRequest(String model, boolean stream, String requestId, boolean close) {
        String body = "{\"model\":\"" + model + "\",\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + requestId + "\"}]}";
        return ("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                        + "X-Request-Id: " + requestId + "\r\n" + (close ? "Connection: close\r\n" : "")
                        + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body)
                .getBytes(StandardCharsets.UTF_8);
    }

    private static String readAll(InputStream in) throws IOException {
        var bytes = new ByteArrayOutputStream();
        in.transferTo(bytes);
        return bytes.toString(StandardCharsets.UTF_8);
    }

    record LedgerRow(int status, String errorKind, boolean streamed) {}

    private static Optional<LedgerRow> awaitLedgerRow(String requestId) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        try (var db = DriverManager.getConnection("jdbc:sqlite:" + DB);
                var query = db.prepareStatement(
                        "SELECT status, error_kind, streamed FROM usage_ledger WHERE request_id = ?")) {
            query.setString(1, requestId);
            while (System.nanoTime() < deadline) {
                try (var rows = query.executeQuery()) {
                    if (rows.next()) {
                        return Optional.of(new LedgerRow(rows.getInt(1), rows.getString(2), rows.getBoolean(3)));
                    }
                }
                Thread.sleep(50);
            }
        }
        return Optional.empty();
    }
}
