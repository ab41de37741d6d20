package io.switchboard.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.RateLimitException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.auth.ApiKeys;
import io.switchboard.testing.FakeUpstream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Gateway API keys end to end: two keys from the environment-style comma list, one hash from a
 * keys file, a per-key rate limit, and CORS for a browser origin.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class ApiKeyIntegrationTest {

    private static final String ALPHA = "sb-test-alpha-5f1c7e2a9b";
    private static final String BETA = "sb-test-beta-8d3a6f0c4e";
    private static final String FROM_FILE = "sb-test-file-2b9e4d7a1c";
    private static final String ORIGIN = "https://app.example.com";
    private static final String CHAT = "{\"model\":\"echo\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final int BETA_LIMIT = 3;

    private static final FakeUpstream UPSTREAM = GatewayFixture.startUpstream();
    private static final DropwizardAppExtension<SwitchboardConfiguration> APP = GatewayFixture.app(
            UPSTREAM,
            "auth-test-config.yml",
            ConfigOverride.config("gateway.apiKeys", ALPHA + ", " + BETA),
            ConfigOverride.config("gateway.apiKeysFile", ApiKeyIntegrationTest::keysFile),
            ConfigOverride.config("gateway.rateLimit.requestsPerMinute", "1000"),
            ConfigOverride.config("gateway.rateLimit.perKey." + id(BETA), Integer.toString(BETA_LIMIT)));
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String id(String key) {
        return ApiKeys.sha256Hex(key).substring(0, ApiKeys.ID_LENGTH);
    }

    private static String keysFile() {
        try {
            Path file = Files.createTempFile("switchboard-keys", ".txt");
            file.toFile().deleteOnExit();
            Files.writeString(file, "# keys for the integration test\n" + ApiKeys.sha256Hex(FROM_FILE) + "  -\n");
            return file.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterAll
    static void stopUpstream() {
        UPSTREAM.close();
    }

    private static OpenAIClient sdk(String key) {
        return OpenAIOkHttpClient.builder()
                .baseUrl(GatewayFixture.baseUrl(APP) + "/v1")
                .apiKey(key)
                .maxRetries(0)
                .timeout(Duration.ofSeconds(20))
                .build();
    }

    private static HttpResponse<String> send(String method, String path, String body, String... headers)
            throws Exception {
        var request = HttpRequest.newBuilder(URI.create(GatewayFixture.baseUrl(APP) + path))
                .timeout(Duration.ofSeconds(20))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (headers.length > 0) {
            request.headers(headers);
        }
        return GatewayFixture.HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode error(HttpResponse<String> response) throws Exception {
        assertThat(response.headers().firstValue("content-type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        return JSON.readTree(response.body()).get("error");
    }

    @Test
    void theSdkWorksWithAConfiguredKey() {
        var params = ChatCompletionCreateParams.builder()
                .model("echo")
                .addUserMessage("with a key")
                .build();
        for (String key : List.of(ALPHA, FROM_FILE)) {
            var reply = sdk(key).chat().completions().create(params);
            assertThat(reply.choices().get(0).message().content()).contains("with a key");
        }
        try (var stream = sdk(ALPHA).chat().completions().createStreaming(params)) {
            assertThat(stream.stream().count()).isPositive();
        }
    }

    @Test
    void theSdkWithAWrongKeyGetsAnAuthenticationError() {
        var params = ChatCompletionCreateParams.builder()
                .model("echo")
                .addUserMessage("hi")
                .build();
        assertThatThrownBy(
                        () -> sdk("sb-test-wrong-key-000").chat().completions().create(params))
                .isInstanceOfSatisfying(UnauthorizedException.class, e -> {
                    assertThat(e.code()).contains("invalid_api_key");
                    assertThat(e.getMessage())
                            .contains("Incorrect API key provided")
                            .doesNotContain("sb-test-wrong");
                });
    }

    @Test
    void missingKeyIsA401InOpenAisShape() throws Exception {
        var response = send("POST", "/v1/chat/completions", CHAT);

        assertThat(response.statusCode()).isEqualTo(401);
        JsonNode error = error(response);
        assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.get("code").asText()).isEqualTo("invalid_api_key");
        assertThat(error.get("param").isNull()).isTrue();
        assertThat(error.get("message").asText()).startsWith("You didn't provide an API key.");
        assertThat(response.headers().firstValue("www-authenticate")).contains("Bearer realm=\"switchboard\"");
        assertThat(response.headers().firstValue("x-ratelimit-limit-requests")).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "wrong key|Bearer sb-test-wrong-key-123",
                "a key's hash instead of the key|Bearer HASH",
                "right key, wrong scheme|Basic ALPHA",
                "right key, no scheme|ALPHA",
                "right key with a suffix|Bearer ALPHAx",
                "two credentials|Bearer ALPHA, Bearer BETA",
                "empty bearer|Bearer ",
            })
    void anythingButAConfiguredBearerKeyIsRefusedWithoutEchoingIt(String name, String authorization) throws Exception {
        String header = authorization
                .replace("HASH", ApiKeys.sha256Hex(ALPHA))
                .replace("ALPHA", ALPHA)
                .replace("BETA", BETA);
        var response = send("POST", "/v1/chat/completions", CHAT, "Authorization", header);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(401);
        assertThat(error(response).get("code").asText()).isEqualTo("invalid_api_key");
        assertThat(response.body())
                .doesNotContain(ALPHA)
                .doesNotContain(BETA)
                .doesNotContain("sb-test")
                .doesNotContain(ApiKeys.sha256Hex(ALPHA));
    }

    @Test
    void theKeyIsNotTakenFromTheQueryString() throws Exception {
        var response = send("GET", "/v1/models?access_token=" + ALPHA + "&api_key=" + ALPHA, null);
        assertThat(response.statusCode()).isEqualTo(401);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "GET, /v1/models",
        "GET, /v1/models/echo",
        "GET, /v1/models/builtin%2Fecho",
        "GET, /v1/providers",
        "POST, /v1/chat/completions",
        "POST, /v1/completions",
        "POST, /v1/embeddings",
        "POST, /v1/images/generations"
    })
    void everyEndpointUnderV1NeedsAKey(String method, String path) throws Exception {
        var without = send(method, path, method.equals("POST") ? "{}" : null);
        assertThat(without.statusCode()).as(without.body()).isEqualTo(401);

        var with = send(method, path, method.equals("POST") ? "{}" : null, "Authorization", "Bearer " + ALPHA);
        assertThat(with.statusCode())
                .as("authenticated: the request itself is judged, %s", with.body())
                .isIn(200, 400);
    }

    @Test
    void theBodyOfAnUnauthenticatedRequestIsNeverParsed() throws Exception {
        var response = send("POST", "/v1/chat/completions", "{not json");
        assertThat(response.statusCode()).isEqualTo(401);
    }

    /**
     * A refusal before the body is read must leave the connection usable when the body has
     * already arrived: it is dropped, instead of Jetty closing the connection under a keep-alive
     * client (which then saw a reset, sometimes instead of the 401).
     */
    @Test
    void aRefusedRequestWithABodyAlreadySentKeepsItsConnection() throws Exception {
        try (var socket = new Socket("127.0.0.1", APP.getLocalPort())) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                            + "Content-Length: " + CHAT.length() + "\r\n\r\n" + CHAT)
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String refused = readResponse(in);
            assertThat(refused)
                    .startsWith("HTTP/1.1 401")
                    .doesNotContainIgnoringCase("connection: close")
                    .contains("invalid_api_key");

            out.write(("GET /v1/models HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + ALPHA + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(readResponse(in)).startsWith("HTTP/1.1 200");
        }
    }

    /**
     * A refusal never waits on the client's body: a client without a key that declares 60000
     * bytes and sends one (then stalls) gets its 401 at once with Connection: close, not after
     * the idle timeout with a server thread held all along.
     */
    @Test
    void aRefusedRequestWithAStalledBodyIsAnsweredAtOnceAndClosed() throws Exception {
        try (var socket = new Socket("127.0.0.1", APP.getLocalPort())) {
            socket.setSoTimeout(2_000);
            OutputStream out = socket.getOutputStream();
            long start = System.nanoTime();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                            + "Content-Length: 60000\r\n\r\n{")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String refused = readResponse(in); // SocketTimeoutException after 2 s fails the test
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

            assertThat(refused).startsWith("HTTP/1.1 401").containsIgnoringCase("connection: close");
            String body = refused.substring(refused.indexOf("\r\n\r\n") + 4);
            assertThat(JSON.readTree(body).at("/error/code").asText()).isEqualTo("invalid_api_key");
            assertThat(elapsed).isLessThan(Duration.ofSeconds(2));
            assertThat(in.read()).as("the server closes after the answer").isEqualTo(-1);
        }
    }

    /** A body that has not arrived with its headers is not waited for either: 401 at once, and the client is told. */
    @Test
    void aRefusedRequestWhoseBodyHasNotArrivedIsToldTheConnectionCloses() throws Exception {
        try (var socket = new Socket("127.0.0.1", APP.getLocalPort())) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                            + "Content-Length: " + CHAT.length() + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String refused = readResponse(in);
            assertThat(refused).startsWith("HTTP/1.1 401").containsIgnoringCase("connection: close");
        }
    }

    @Test
    void aRefusedRequestWithALargeBodyIsToldTheConnectionCloses() throws Exception {
        byte[] big = ("{\"model\":\"echo\",\"x\":\"" + "a".repeat(100_000) + "\"}").getBytes(StandardCharsets.UTF_8);
        // Chunked (no length), so it passes the 413-before-reading check and meets the key check.
        var request = HttpRequest.newBuilder(URI.create(GatewayFixture.baseUrl(APP) + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big)))
                .build();

        var response = GatewayFixture.HTTP.send(request, HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("connection")).contains("close");
    }

    /** One response with a Content-Length body, read off a kept-alive connection. */
    private static String readResponse(InputStream in) throws IOException {
        var head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c == -1) {
                throw new IOException("connection closed after: " + head);
            }
            head.append((char) c);
        }
        var matcher = Pattern.compile("(?i)content-length: (\\d+)").matcher(head);
        int length = matcher.find() ? Integer.parseInt(matcher.group(1)) : 0;
        return head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    @Test
    void healthAndAdminStayPublic() throws Exception {
        assertThat(send("GET", "/health-check?type=ALIVE", null).statusCode()).isEqualTo(200);
        var admin = GatewayFixture.HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + APP.getAdminPort() + "/ping"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(admin.statusCode()).isEqualTo(200);
    }

    @Test
    void everyAuthenticatedResponseCarriesOpenAisRateLimitHeaders() throws Exception {
        var ok = send("POST", "/v1/chat/completions", CHAT, "Authorization", "Bearer " + ALPHA);
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.headers().firstValue("x-ratelimit-limit-requests")).contains("1000");
        assertThat(ok.headers().firstValue("x-ratelimit-remaining-requests"))
                .hasValueSatisfying(
                        remaining -> assertThat(Integer.parseInt(remaining)).isBetween(900, 999));
        assertThat(ok.headers().firstValue("x-ratelimit-reset-requests"))
                .hasValueSatisfying(reset -> assertThat(reset).matches("\\d+ms|\\d+(\\.\\d+)?s"));

        var refused = send("POST", "/v1/chat/completions", "{bad json", "Authorization", "Bearer " + ALPHA);
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.headers().firstValue("x-ratelimit-limit-requests")).contains("1000");

        var stream = send(
                "POST",
                "/v1/chat/completions",
                CHAT.replace("{\"model\"", "{\"stream\":true,\"model\""),
                "Authorization",
                "Bearer " + ALPHA);
        assertThat(stream.headers().firstValue("content-type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("text/event-stream"));
        assertThat(stream.headers().firstValue("x-ratelimit-limit-requests")).contains("1000");

        var models = send("GET", "/v1/models", null, "Authorization", "Bearer " + FROM_FILE);
        assertThat(models.headers().firstValue("x-ratelimit-remaining-requests"))
                .isPresent();
    }

    @Test
    void overTheLimitIs429WithRetryAfterAndOtherKeysAreUnaffected() throws Exception {
        var statuses = new ArrayList<Integer>();
        HttpResponse<String> last = null;
        for (int i = 0; i <= BETA_LIMIT; i++) {
            last = send("POST", "/v1/chat/completions", CHAT, "Authorization", "Bearer " + BETA);
            statuses.add(last.statusCode());
        }
        assertThat(statuses).containsExactly(200, 200, 200, 429);
        JsonNode error = error(last);
        assertThat(error.get("type").asText()).isEqualTo("requests");
        assertThat(error.get("code").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(error.get("message").asText())
                .startsWith("Rate limit reached for requests per min (RPM)")
                .contains("Limit 3");
        assertThat(last.headers().firstValue("retry-after"))
                .hasValueSatisfying(
                        seconds -> assertThat(Integer.parseInt(seconds)).isBetween(1, 20));
        assertThat(last.headers().firstValue("x-ratelimit-limit-requests")).contains("3");
        assertThat(last.headers().firstValue("x-ratelimit-remaining-requests")).contains("0");

        var params = ChatCompletionCreateParams.builder()
                .model("echo")
                .addUserMessage("hi")
                .build();
        assertThatThrownBy(() -> sdk(BETA).chat().completions().create(params)).isInstanceOf(RateLimitException.class);
        assertThat(send("POST", "/v1/chat/completions", CHAT, "Authorization", "Bearer " + ALPHA)
                        .statusCode())
                .isEqualTo(200);
    }

    @Test
    void corsPreflightAllowsAuthorizationWithoutCredentialsAndNeedsNoKey() throws Exception {
        var preflight = send(
                "OPTIONS",
                "/v1/chat/completions",
                null,
                "Origin",
                ORIGIN,
                "Access-Control-Request-Method",
                "POST",
                "Access-Control-Request-Headers",
                "authorization, content-type, x-stainless-os");

        assertThat(preflight.statusCode()).isEqualTo(200);
        var headers = preflight.headers();
        assertThat(headers.firstValue("access-control-allow-origin")).contains(ORIGIN);
        assertThat(headers.firstValue("access-control-allow-methods"))
                .hasValueSatisfying(methods -> assertThat(methods).contains("POST"));
        assertThat(headers.firstValue("access-control-allow-headers"))
                .hasValueSatisfying(
                        allowed -> assertThat(allowed.toLowerCase(Locale.ROOT)).contains("authorization"));
        assertThat(headers.firstValue("access-control-allow-credentials")).isEmpty();

        var actual = send("POST", "/v1/chat/completions", CHAT, "Origin", ORIGIN, "Authorization", "Bearer " + ALPHA);
        assertThat(actual.statusCode()).isEqualTo(200);
        assertThat(actual.headers().firstValue("access-control-allow-origin")).contains(ORIGIN);
        assertThat(actual.headers().firstValue("access-control-allow-credentials"))
                .isEmpty();
        assertThat(actual.headers().firstValue("access-control-expose-headers"))
                .hasValueSatisfying(exposed -> assertThat(exposed.toLowerCase(Locale.ROOT))
                        .contains(
                                "x-request-id",
                                "x-ratelimit-remaining-requests",
                                "retry-after",
                                "x-switchboard-attempts"));

        var stranger = send(
                "POST",
                "/v1/chat/completions",
                CHAT,
                "Origin",
                "https://evil.example.net",
                "Authorization",
                "Bearer " + ALPHA);
        assertThat(stranger.headers().firstValue("access-control-allow-origin")).isEmpty();
    }
}
