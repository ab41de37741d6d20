package io.switchboard.it;

import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.dropwizard.testing.ResourceHelpers;
import io.switchboard.SwitchboardApplication;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.auth.ApiKeys;
import io.switchboard.testing.Behavior;
import io.switchboard.testing.FakeUpstream;
import io.switchboard.testing.OpenAiWire;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Boots the gateway with distinctive secrets (upstream keys, a secret upstream header, gateway
 * keys), drives traffic that fails every way it can (upstream 401s that quote the key, an
 * upstream that echoes the request's headers, an unreachable upstream, bad input, wrong and
 * misplaced gateway keys, rate limits, broken streams, a failing model discovery), then scans
 * every response (bodies and headers), the whole application log and access log, the admin
 * endpoints and the configuration's {@code toString} for any of the secrets. Every secret holds
 * the marker {@value #MARKER}, so a partial leak is caught too.
 */
class SecretHygieneIntegrationTest {

    private static final String MARKER = "SwBd";
    private static final String ALPHA = "sbk-SwBdGatewayAlpha-1f2e3d4c5b6a";
    private static final String BETA = "sbk-SwBdGatewayBeta-6a5b4c3d2e1f";
    private static final String UPSTREAM_KEY = "sk-proj-SwBdUpstream0123456789abcdefXYZ";
    private static final String HEADER_SECRET = "hdr-SwBdHeaderSecret-4242";
    private static final String DOWN_KEY = "sk-SwBdDownKey9876543210";
    private static final String ANTHROPIC_KEY = "sk-ant-api03-SwBdAnthropic-777";
    private static final List<String> SECRETS = List.of(
            ALPHA,
            BETA,
            UPSTREAM_KEY,
            HEADER_SECRET,
            DOWN_KEY,
            ANTHROPIC_KEY,
            ApiKeys.sha256Hex(ALPHA),
            ApiKeys.sha256Hex(BETA));
    private static final String HI = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";

    private final List<String> seen = new ArrayList<>();
    private DropwizardTestSupport<SwitchboardConfiguration> app;

    @Test
    void noSecretReachesAnyLogOrResponse() throws Exception {
        Path logs = Files.createTempDirectory(Path.of("target"), "secret-hygiene");
        Path appLog = logs.resolve("app.log");
        Path accessLog = logs.resolve("access.log");
        try (FakeUpstream upstream = GatewayFixture.startUpstream()) {
            app = new DropwizardTestSupport<>(
                    SwitchboardApplication.class,
                    ResourceHelpers.resourceFilePath("secrets-test-config.yml"),
                    ConfigOverride.config("providers[1].baseUrl", upstream.baseUrl() + "/v1"),
                    ConfigOverride.config("providers[3].baseUrl", upstream.baseUrl()),
                    ConfigOverride.config("gateway.apiKeys", ALPHA + "," + BETA),
                    ConfigOverride.config(
                            "gateway.rateLimit.perKey."
                                    + ApiKeys.sha256Hex(BETA).substring(0, 12),
                            "2"),
                    ConfigOverride.config("logging.appenders[0].currentLogFilename", appLog.toString()),
                    ConfigOverride.config("server.requestLog.appenders[0].currentLogFilename", accessLog.toString()));
            app.before();
            try {
                driveFailingTraffic(upstream);
                seen.add(app.getConfiguration().toString());
                seen.add(app.getConfiguration().gateway().toString());
                app.getConfiguration().providers().forEach(provider -> seen.add(provider.toString()));
                LoggerFactory.getLogger(SecretHygieneIntegrationTest.class).info("secret-scan-end");
                call("GET", "/v1/secret-scan-end", null, null);
                awaitContains(appLog, "secret-scan-end");
                awaitContains(accessLog, "/v1/secret-scan-end");
            } finally {
                app.after();
            }
        }

        String applicationLog = Files.readString(appLog, StandardCharsets.UTF_8);
        String requestLog = Files.readString(accessLog, StandardCharsets.UTF_8);
        // The capture works: it holds the failures it should, so an empty scan proves nothing wrong.
        assertThat(applicationLog).contains("Upstream fake failed", "Provider down", "Gateway API keys: 2 configured");
        assertThat(requestLog).contains("\"POST /v1/chat/completions HTTP/1.1\" 401", "\" 429 ", "key=");
        assertThat(seen).hasSizeGreaterThan(30);

        var everything = new ArrayList<>(seen);
        everything.add(applicationLog);
        everything.add(requestLog);
        for (String text : everything) {
            for (String secret : SECRETS) {
                assertThat(text).as("a secret leaked").doesNotContain(secret);
            }
            assertThat(text).as("part of a secret leaked").doesNotContain(MARKER);
        }
    }

    /**
     * A configuration without a {@code requestLog} block (test-config.yml has none) gets
     * Dropwizard's default request log, a console appender; its format must be the gateway's,
     * which leaves out the query string where a client misplaced its key.
     */
    @Test
    void aConfigurationWithoutARequestLogBlockKeepsQueryStringsOutOfTheAccessLog() throws Exception {
        String secret = "sk-SwBdQueryString-0a1b2c3d4e5f";
        PrintStream original = System.out;
        var captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(new TeeOutputStream(original, captured), true, StandardCharsets.UTF_8));
        try {
            app = new DropwizardTestSupport<>(
                    SwitchboardApplication.class, ResourceHelpers.resourceFilePath("test-config.yml"));
            app.before();
            try {
                call("GET", "/v1/models?api_key=" + secret, null, null);
                call("GET", "/v1/query-scan-end?access_token=" + secret, null, null);
                awaitContains(captured, "/v1/query-scan-end");
            } finally {
                app.after();
            }
        } finally {
            System.setOut(original);
        }

        String stdout = captured.toString(StandardCharsets.UTF_8);
        assertThat(stdout).doesNotContain(secret).doesNotContain(MARKER);
        assertThat(stdout)
                .as("the access log line, in the gateway's format")
                .containsPattern("req_[0-9a-f]{32} \"GET /v1/models HTTP/1.1\" 200 .* key=-");
    }

    /** Writes to both streams: the console keeps its output while the test reads it. */
    private static final class TeeOutputStream extends OutputStream {
        private final OutputStream first;
        private final OutputStream second;

        TeeOutputStream(OutputStream first, OutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public synchronized void write(int b) throws IOException {
            first.write(b);
            second.write(b);
        }

        @Override
        public synchronized void write(byte[] bytes, int offset, int length) throws IOException {
            first.write(bytes, offset, length);
            second.write(bytes, offset, length);
        }

        @Override
        public synchronized void flush() throws IOException {
            first.flush();
            second.flush();
        }
    }

    private static void awaitContains(ByteArrayOutputStream output, String marker) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            synchronized (output) {
                if (output.toString(StandardCharsets.UTF_8).contains(marker)) {
                    return;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the console never showed " + marker);
    }

    private void driveFailingTraffic(FakeUpstream upstream) throws Exception {
        String chat = "{\"model\":\"fake/gpt-4o\"," + HI + "}";
        String stream = "{\"model\":\"fake/gpt-4o\",\"stream\":true," + HI + "}";
        upstream.onNext(
                "POST",
                "/v1/chat/completions",
                // OpenAI's own answer to a bad key, which quotes it masked
                Behavior.json(
                        401,
                        OpenAiWire.error(
                                "Incorrect API key provided: sk-proj-****************************cXYZ."
                                        + " You can find your API key at https://platform.openai.com/account/api-keys.",
                                "invalid_request_error",
                                null,
                                "invalid_api_key")),
                // a proxy that echoes the request's headers in its error
                Behavior.json(
                        400,
                        OpenAiWire.error(
                                "Bad request. Headers were: {\"authorization\": \"Bearer " + UPSTREAM_KEY
                                        + "\", \"x-upstream-token\": \"" + HEADER_SECRET + "\"}",
                                "invalid_request_error",
                                null,
                                null)),
                // a plain-text error that quotes the key whole
                Behavior.status(
                        502,
                        "upstream proxy: key " + UPSTREAM_KEY + " rejected (Authorization: Bearer " + UPSTREAM_KEY
                                + ")",
                        Map.of("Content-Type", "text/plain")),
                Behavior.json(
                        429,
                        OpenAiWire.error(
                                "Rate limit reached for key " + UPSTREAM_KEY, "requests", null, "rate_limit_exceeded"),
                        Map.of("Retry-After", "1")),
                // streams: refused before the first chunk, and cut after it
                Behavior.json(
                        401,
                        OpenAiWire.error(
                                "Incorrect API key provided: " + UPSTREAM_KEY,
                                "invalid_request_error",
                                null,
                                "invalid_api_key")),
                Behavior.sseThenCut(
                        OpenAiWire.chatStream("gpt-4o", List.of("a", "b", "c"), false), Duration.ofMillis(20), 2));
        for (int i = 0; i < 4; i++) {
            call("POST", "/v1/chat/completions", chat, ALPHA);
        }
        call("POST", "/v1/chat/completions", stream, ALPHA);
        call("POST", "/v1/chat/completions", stream, ALPHA);

        upstream.on(
                "POST",
                "/v1/messages",
                Behavior.json(
                        401,
                        "{\"type\":\"error\",\"error\":{\"type\":"
                                + "\"authentication_error\",\"message\":\"invalid x-api-key: " + ANTHROPIC_KEY
                                + "\"}}"));
        call("POST", "/v1/chat/completions", "{\"model\":\"claude/claude-x\"," + HI + "}", ALPHA);
        call("POST", "/v1/chat/completions", "{\"model\":\"down/any\"," + HI + "}", ALPHA);

        // bad input, with a good key
        call("POST", "/v1/chat/completions", "{not json", ALPHA);
        call("POST", "/v1/chat/completions", "{\"model\":123," + HI + "}", ALPHA);
        call("POST", "/v1/chat/completions", "{\"model\":\"echo\",\"messages\":\"" + "x".repeat(70_000) + "\"}", ALPHA);
        call("POST", "/v1/embeddings", "{\"model\":\"fake/gpt-4o\",\"input\":\"\"}", ALPHA);

        // wrong, near-miss and misplaced gateway keys
        call("POST", "/v1/chat/completions", chat, null);
        call("POST", "/v1/chat/completions", chat, ALPHA + "0");
        call("POST", "/v1/chat/completions", chat, ALPHA.substring(0, ALPHA.length() - 1));
        call("POST", "/v1/chat/completions", chat, UPSTREAM_KEY);
        call("GET", "/v1/models?api_key=" + ALPHA + "&access_token=" + BETA, null, null);

        // rate limit: the second key allows two a minute
        for (int i = 0; i < 3; i++) {
            call("POST", "/v1/chat/completions", "{\"model\":\"echo\"," + HI + "}", BETA);
        }

        // what works, and what shows state
        call("POST", "/v1/chat/completions", "{\"model\":\"echo\"," + HI + "}", ALPHA);
        call("POST", "/v1/chat/completions", "{\"model\":\"echo\",\"stream\":true," + HI + "}", ALPHA);
        upstream.on(
                "GET",
                "/v1/models",
                Behavior.json(
                        401,
                        OpenAiWire.error(
                                "Incorrect API key provided: " + UPSTREAM_KEY,
                                "invalid_request_error",
                                null,
                                "invalid_api_key")));
        admin("POST", "/tasks/refresh-providers");
        call("GET", "/v1/providers", null, ALPHA);
        call("GET", "/v1/models", null, ALPHA);
        admin("GET", "/healthcheck");
        admin("GET", "/metrics");
        admin("GET", "/metrics/prometheus");
        call("GET", "/health-check", null, null);
    }

    private void call(String method, String path, String body, String key) throws Exception {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.getLocalPort() + path))
                .timeout(Duration.ofSeconds(20))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        record(GatewayFixture.HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString()));
    }

    private void admin(String method, String path) throws Exception {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.getAdminPort() + path))
                .timeout(Duration.ofSeconds(20))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .build();
        record(GatewayFixture.HTTP.send(request, HttpResponse.BodyHandlers.ofString()));
    }

    private void record(HttpResponse<String> response) {
        seen.add(response.statusCode() + " " + response.headers().map() + "\n" + response.body());
    }

    /** Logs are written asynchronously; wait for the marker line to know everything before it is on disk. */
    private static void awaitContains(Path file, String marker) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(file)
                    && Files.readString(file, StandardCharsets.UTF_8).contains(marker)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError(file + " never showed " + marker);
    }
}
