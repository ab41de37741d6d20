package io.switchboard.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.UnauthorizedException;
import com.openai.models.models.Model;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.ResourceHelpers;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.switchboard.SwitchboardApplication;
import io.switchboard.SwitchboardConfiguration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The admin API's keys endpoints against bad input, on a real SQLite file: every refusal is a 400
 * (413 for a body over 1 MiB) in OpenAI's error shape naming the field, and nothing is stored (the
 * listing and the {@code virtual_keys} table are as they were). Unknown and malformed ids are
 * 404s; revoking twice is harmless; rotating and revoking reach the API port within a second, as
 * the OpenAI SDK sees it.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class AdminApiInputIntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration PROPAGATION = Duration.ofSeconds(1);
    private static final String SQL = "x'); DROP TABLE virtual_keys;--";

    @TempDir
    static Path directory;

    private static final DropwizardAppExtension<SwitchboardConfiguration> APP = new DropwizardAppExtension<>(
            SwitchboardApplication.class,
            ResourceHelpers.resourceFilePath("admin-input-test-config.yml"),
            ConfigOverride.config("database.url", () -> "jdbc:sqlite:" + database()));

    /** A key every bad update is tried on: it must come out of each exactly as it went in. */
    private static String existing;

    @BeforeAll
    static void createOneKey() throws Exception {
        var created = send(
                "POST",
                "/api/keys",
                "{\"name\":\"team-a\",\"tags\":{\"team\":\"a\",\"owner\":\"ana@example.com\"},"
                        + "\"models\":[\"builtin/*\"],\"budget_usd\":\"5.00\",\"budget_period\":\"monthly\",\"rpm\":60}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        existing = JSON.readTree(created.body()).get("id").asText();
    }

    // ---- bad bodies: 400 naming the field, nothing stored ----

    static Stream<Arguments> badBodies() {
        String hundredKb = "n".repeat(100 * 1024);
        return Stream.of(
                Arguments.of("unknown field", "{\"name\":\"a\",\"budget\":\"5\"}", null, "budget"),
                Arguments.of("unknown field beside valid ones", "{\"name\":\"a\",\"is_admin\":true}", null, "is_admin"),
                Arguments.of("negative budget", "{\"name\":\"a\",\"budget_usd\":\"-1\"}", "budget_usd", "negative"),
                Arguments.of(
                        "negative budget as a number",
                        "{\"name\":\"a\",\"budget_usd\":-0.01}",
                        "budget_usd",
                        "negative"),
                Arguments.of(
                        "huge budget",
                        "{\"name\":\"a\",\"budget_usd\":\"1000000000.000001\"}",
                        "budget_usd",
                        "1000000000"),
                Arguments.of(
                        "huge budget as a number", "{\"name\":\"a\",\"budget_usd\":1e12}", "budget_usd", "1000000000"),
                Arguments.of(
                        "an absurd exponent", "{\"name\":\"a\",\"budget_usd\":\"1e999999999\"}", "budget_usd", null),
                Arguments.of("seven decimals", "{\"name\":\"a\",\"budget_usd\":\"0.1234567\"}", "budget_usd", "six"),
                Arguments.of(
                        "seven decimals as a number", "{\"name\":\"a\",\"budget_usd\":0.0000001}", "budget_usd", null),
                Arguments.of("budget as a boolean", "{\"name\":\"a\",\"budget_usd\":true}", "budget_usd", null),
                Arguments.of("budget as text", "{\"name\":\"a\",\"budget_usd\":\"fifty\"}", "budget_usd", null),
                Arguments.of("a 100 KB name", "{\"name\":\"" + hundredKb + "\"}", "name", "200"),
                Arguments.of("no name", "{\"budget_usd\":\"1\"}", "name", null),
                Arguments.of("a blank name", "{\"name\":\"   \"}", "name", null),
                Arguments.of("a name that is not a string", "{\"name\":42}", "name", null),
                Arguments.of("SQL in the name", body("name", SQL), "name", null),
                Arguments.of("a quote in the name", body("name", "Robert'); --"), "name", null),
                Arguments.of("a double quote in the name", body("name", "say \"hi\""), "name", null),
                Arguments.of("a semicolon in the name", body("name", "a;b"), "name", null),
                Arguments.of("a control character in the name", body("name", "a\u0000b"), "name", null),
                Arguments.of("a newline in the name", body("name", "a\nb"), "name", null),
                Arguments.of(
                        "SQL in a tag value", "{\"name\":\"a\",\"tags\":{\"team\":" + quoted(SQL) + "}}", "tags", null),
                Arguments.of(
                        "SQL in a tag name", "{\"name\":\"a\",\"tags\":{" + quoted(SQL) + ":\"x\"}}", "tags", null),
                Arguments.of(
                        "a 100 KB tag value",
                        "{\"name\":\"a\",\"tags\":{\"team\":\"" + hundredKb + "\"}}",
                        "tags",
                        null),
                Arguments.of(
                        "a tag value that is not a string", "{\"name\":\"a\",\"tags\":{\"team\":5}}", "tags", null),
                Arguments.of("tags not an object", "{\"name\":\"a\",\"tags\":[\"team\"]}", "tags", null),
                Arguments.of("tags a string", "{\"name\":\"a\",\"tags\":\"team=a\"}", "tags", null),
                Arguments.of(
                        "SQL in a model pattern", "{\"name\":\"a\",\"models\":[" + quoted(SQL) + "]}", "models", null),
                Arguments.of("an empty model pattern", "{\"name\":\"a\",\"models\":[\"\"]}", "models", "empty"),
                Arguments.of("a blank model pattern", "{\"name\":\"a\",\"models\":[\"  \"]}", "models", "empty"),
                Arguments.of(
                        "a too long model pattern",
                        "{\"name\":\"a\",\"models\":[\"" + "g".repeat(201) + "\"]}",
                        "models",
                        "longer"),
                Arguments.of("a space in a model pattern", "{\"name\":\"a\",\"models\":[\"gpt 4o\"]}", "models", null),
                Arguments.of("a regex for a pattern", "{\"name\":\"a\",\"models\":[\"(a+)+$\"]}", "models", null),
                Arguments.of("a non-ASCII pattern", "{\"name\":\"a\",\"models\":[\"gpt-4o\u202e\"]}", "models", null),
                Arguments.of("models not an array", "{\"name\":\"a\",\"models\":\"gpt-4o*\"}", "models", null),
                Arguments.of("a model pattern that is not a string", "{\"name\":\"a\",\"models\":[4]}", "models", null),
                Arguments.of("month 13, day 45", "{\"name\":\"a\",\"expires_at\":\"2027-13-45\"}", "expires_at", null),
                Arguments.of("tomorrow", "{\"name\":\"a\",\"expires_at\":\"tomorrow\"}", "expires_at", null),
                Arguments.of("a date as a number", "{\"name\":\"a\",\"expires_at\":20270101}", "expires_at", null),
                Arguments.of("February 30th", "{\"name\":\"a\",\"expires_at\":\"2027-02-30\"}", "expires_at", null),
                Arguments.of(
                        "a bad period",
                        "{\"name\":\"a\",\"budget_usd\":\"1\",\"budget_period\":\"fortnightly\"}",
                        "budget_period",
                        null),
                Arguments.of("rpm 0", "{\"name\":\"a\",\"rpm\":0}", "rpm", null),
                Arguments.of("rpm -1", "{\"name\":\"a\",\"rpm\":-1}", "rpm", null),
                Arguments.of("rpm 1e12", "{\"name\":\"a\",\"rpm\":1e12}", "rpm", null),
                Arguments.of("rpm 10^12 as an integer", "{\"name\":\"a\",\"rpm\":1000000000000}", "rpm", null),
                Arguments.of("rpm \"ten\"", "{\"name\":\"a\",\"rpm\":\"ten\"}", "rpm", null),
                Arguments.of("rpm 1.5", "{\"name\":\"a\",\"rpm\":1.5}", "rpm", null),
                Arguments.of("tpm -1", "{\"name\":\"a\",\"tpm\":-1}", "tpm", null),
                Arguments.of("enabled as text", "{\"name\":\"a\",\"enabled\":\"yes\"}", "enabled", null),
                Arguments.of("not JSON", "{name: 'a'", null, "JSON"),
                Arguments.of("JSON with trailing garbage", "{\"name\":\"a\"} x", null, "JSON"),
                Arguments.of("two JSON objects", "{\"name\":\"a\"}{\"name\":\"b\"}", null, "JSON"),
                Arguments.of("a JSON array", "[{\"name\":\"a\"}]", null, "object"),
                Arguments.of("a JSON string", "\"a\"", null, "object"),
                Arguments.of("JSON null", "null", null, "object"),
                Arguments.of("an empty body", "", null, null));
    }

    @ParameterizedTest(name = "create: {0}")
    @MethodSource("badBodies")
    void badInputToCreateIsRefusedAndNothingIsStored(String what, String body, String param, String mentions)
            throws Exception {
        assertRefused("POST", "/api/keys", body, 400, param, mentions);
    }

    @ParameterizedTest(name = "update: {0}")
    @MethodSource("badBodies")
    void badInputToUpdateIsRefusedAndTheKeyIsUnchanged(String what, String body, String param, String mentions)
            throws Exception {
        if (what.equals("no name")) {
            return; // an update names only what it changes: no name is fine there
        }
        assertRefused("PATCH", "/api/keys/" + existing, body, 400, param, mentions);
    }

    @Test
    void aBodyOverOneMebibyteIsRefusedWith413() throws Exception {
        String body = "{\"name\":\"" + "n".repeat((1 << 20) + 10) + "\"}";
        assertRefused("POST", "/api/keys", body, 413, null, null);
        assertRefused("PATCH", "/api/keys/" + existing, body, 413, null, null);
    }

    @Test
    void namesAndTagsMayUseLettersOfAnyScriptDigitsAndTheSafePunctuation() throws Exception {
        var created = send(
                "POST",
                "/api/keys",
                "{\"name\":\"Équipe Ünïcode 東京 #1 (prod) a-b_c.d:e@f/g+h\","
                        + "\"tags\":{\"owner\":\"ana@example.com\",\"cost-centre\":\"CC/42 (R&D)\"}}");
        // '&' is outside the safe set: refused, naming tags.
        assertThat(created.statusCode()).as(created.body()).isEqualTo(400);
        assertThat(JSON.readTree(created.body()).at("/error/param").asText()).isEqualTo("tags");

        created = send(
                "POST",
                "/api/keys",
                "{\"name\":\"Équipe Ünïcode 東京 #1 (prod) a-b_c.d:e@f/g+h\","
                        + "\"tags\":{\"owner\":\"ana@example.com\",\"cost-centre\":\"CC/42 (RD)\"}}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        var key = JSON.readTree(created.body());
        assertThat(key.get("name").asText()).isEqualTo("Équipe Ünïcode 東京 #1 (prod) a-b_c.d:e@f/g+h");
        assertThat(key.at("/tags/cost-centre").asText()).isEqualTo("CC/42 (RD)");
        assertThat(send("POST", "/api/keys/" + key.get("id").asText() + "/revoke", "")
                        .statusCode())
                .isEqualTo(200);
    }

    // ---- ids ----

    @ParameterizedTest(name = "malformed id {0}")
    @ValueSource(
            strings = {
                "nope",
                "vk_",
                "vk_XYZ",
                "vk_000000000000000g",
                "VK_0000000000000000",
                "vk_00000000000000000",
                "1",
                "-1",
                "vk_0000000000000000' OR '1'='1",
                "vk_0123456789abcdef.json",
                "é",
                "vk_0123456789abcdef;x"
            })
    void malformedIdsAre404(String id) throws Exception {
        String path =
                "/api/keys/" + URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
        assertNotFound(send("GET", path, null));
        assertRefused("PATCH", path, "{\"name\":\"b\"}", 404, "id", null);
        assertRefused("POST", path + "/revoke", "", 404, "id", null);
        assertRefused("POST", path + "/rotate", "", 404, "id", null);
    }

    /** Jetty refuses these before any resource sees them (400, in OpenAI's shape); nothing changes. */
    @ParameterizedTest(name = "hostile path {0}")
    @ValueSource(
            strings = {
                "..%2F..%2Fetc%2Fpasswd",
                "vk_0123456789abcdef%00",
                "vk_0123456789abcdef%0A",
                "%2e%2e%2fvk_0123456789abcdef",
                "vk_0123456789abcdef%2F..%2Fx"
            })
    void hostilePathsAreRefusedBeforeTheApi(String id) throws Exception {
        String path = "/api/keys/" + id;
        for (String method : new String[] {"GET", "PATCH"}) {
            assertRefused(method, path, method.equals("GET") ? null : "{\"name\":\"b\"}", 400, null, "Bad Request");
        }
        assertRefused("POST", path + "/revoke", "", 400, null, "Bad Request");
    }

    @Test
    void aLongIdIs404AndIsNotEchoedWhole() throws Exception {
        String id = "vk_" + "a".repeat(5000);
        var response = send("GET", "/api/keys/" + id, null);
        assertNotFound(response);
        assertThat(response.body().length()).isLessThan(500);
    }

    @Test
    void unknownIdsAre404() throws Exception {
        String unknown = "/api/keys/vk_0123456789abcdef";
        assertNotFound(send("GET", unknown, null));
        assertRefused("PATCH", unknown, "{\"name\":\"b\"}", 404, "id", null);
        assertRefused("POST", unknown + "/revoke", "", 404, "id", null);
        assertRefused("POST", unknown + "/rotate", "", 404, "id", null);
    }

    @Test
    void revokingTwiceIsHarmlessAndKeepsTheFirstRevocationTime() throws Exception {
        var key = create("{\"name\":\"revoke-twice\"}");
        String id = key.get("id").asText();
        var first = send("POST", "/api/keys/" + id + "/revoke", "");
        var second = send("POST", "/api/keys/" + id + "/revoke", "");
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
        var a = JSON.readTree(first.body());
        var b = JSON.readTree(second.body());
        assertThat(a.get("revoked_at").isTextual()).isTrue();
        assertThat(b.get("revoked_at")).isEqualTo(a.get("revoked_at"));
        assertThat(b.get("enabled").asBoolean()).isFalse();
        assertThat(b.has("key")).as("no secret in a revocation").isFalse();
        // A revoked key stays so: it cannot be updated or rotated back to life.
        assertRefused("PATCH", "/api/keys/" + id, "{\"enabled\":true}", 404, "id", null);
        assertRefused("POST", "/api/keys/" + id + "/rotate", "", 404, "id", null);
    }

    @Test
    void rotationGivesANewSecretAndTheOldOneIsRefusedWithinASecond() throws Exception {
        var key = create("{\"name\":\"rotate-me\"}");
        String id = key.get("id").asText();
        String old = key.get("key").asText();
        awaitStatus(old, 200, Duration.ofSeconds(5));

        var rotated = send("POST", "/api/keys/" + id + "/rotate", "");
        long rotatedAt = System.nanoTime();
        assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(200);
        var body = JSON.readTree(rotated.body());
        String fresh = body.get("key").asText();
        assertThat(body.get("id").asText()).isEqualTo(id);
        assertThat(fresh).startsWith("sk-sb-").isNotEqualTo(old);
        assertThat(body.get("prefix").asText())
                .isEqualTo(fresh.substring(0, body.get("prefix").asText().length()));

        awaitStatus(old, 401, PROPAGATION.minusNanos(System.nanoTime() - rotatedAt));
        awaitStatus(fresh, 200, PROPAGATION.minusNanos(System.nanoTime() - rotatedAt));
        assertThat(models(old).statusCode()).isEqualTo(401);
        send("POST", "/api/keys/" + id + "/revoke", "");
    }

    @Test
    void theSdkUsesAKeyMadeOverTheAdminApiAndIsRefusedWithinASecondOfItsRevocation() throws Exception {
        var key = create("{\"name\":\"sdk-key\",\"tags\":{\"team\":\"sdk\"},\"models\":[\"builtin/*\"]}");
        OpenAIClient client = OpenAIOkHttpClient.builder()
                .baseUrl(GatewayFixture.baseUrl(APP) + "/v1")
                .apiKey(key.get("key").asText())
                .maxRetries(0)
                .timeout(Duration.ofSeconds(10))
                .build();
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (true) {
            try {
                assertThat(client.models().list().data()).extracting(Model::id).contains("builtin/echo");
                break;
            } catch (UnauthorizedException notYet) {
                assertThat(System.nanoTime())
                        .as("the new key known to the API port")
                        .isLessThan(deadline);
                Thread.sleep(20);
            }
        }

        var revoked = send("POST", "/api/keys/" + key.get("id").asText() + "/revoke", "");
        long revokedAt = System.nanoTime();
        assertThat(revoked.statusCode()).isEqualTo(200);
        while (true) {
            try {
                client.models().list();
            } catch (UnauthorizedException refused) {
                assertThat(refused.statusCode()).isEqualTo(401);
                assertThat(refused.getMessage()).containsIgnoringCase("key");
                break;
            }
            assertThat(Duration.ofNanos(System.nanoTime() - revokedAt))
                    .as("refused within a second of revocation")
                    .isLessThan(PROPAGATION);
            Thread.sleep(20);
        }
        assertThat(Duration.ofNanos(System.nanoTime() - revokedAt)).isLessThan(PROPAGATION);
        assertThatThrownBy(() -> client.models().list()).isInstanceOf(UnauthorizedException.class);
    }

    // ---- helpers ----

    /**
     * Sends the request, checks the refusal (status, OpenAI's error shape, the field it names, a
     * word of its message), and that nothing changed: the listing (revoked keys included) and the
     * table's rows are exactly as before.
     */
    private static void assertRefused(
            String method, String path, String body, int status, String param, String mentions) throws Exception {
        String listingBefore = listing();
        long rowsBefore = rows();
        var response = send(method, path, body);
        assertThat(response.statusCode())
                .as("%s %s: %s", method, path, response.body())
                .isEqualTo(status);
        var error = errorOf(response);
        if (param != null) {
            assertThat(error.get("param").asText()).as(response.body()).isEqualTo(param);
        }
        if (mentions != null) {
            assertThat(error.get("message").asText()).as(response.body()).containsIgnoringCase(mentions);
        }
        assertThat(listing())
                .as("the listing after a refused %s %s", method, path)
                .isEqualTo(listingBefore);
        assertThat(rows()).as("rows of virtual_keys").isEqualTo(rowsBefore);
        assertThat(rows())
                .as("the table is still there, with the key made at the start")
                .isPositive();
    }

    private static void assertNotFound(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(404);
        var error = errorOf(response);
        assertThat(error.get("param").asText()).isEqualTo("id");
        assertThat(error.get("code").asText()).isEqualTo("key_not_found");
    }

    /** OpenAI's error shape: {"error":{"message","type","param","code"}} and nothing else. */
    private static JsonNode errorOf(HttpResponse<String> response) throws Exception {
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        var body = JSON.readTree(response.body());
        assertThat(body.isObject()).isTrue();
        assertThat(iterable(body.fieldNames())).containsExactly("error");
        var error = body.get("error");
        assertThat(iterable(error.fieldNames())).containsExactlyInAnyOrder("message", "type", "param", "code");
        assertThat(error.get("message").isTextual()).isTrue();
        assertThat(error.get("message").asText()).isNotBlank().hasSizeLessThan(1000);
        assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.get("param").isTextual() || error.get("param").isNull())
                .isTrue();
        assertThat(error.get("code").isTextual() || error.get("code").isNull()).isTrue();
        return error;
    }

    private static Iterable<String> iterable(java.util.Iterator<String> names) {
        return () -> names;
    }

    private static JsonNode create(String body) throws Exception {
        var response = send("POST", "/api/keys", body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return JSON.readTree(response.body());
    }

    /** Every key, revoked ones included, as the admin API lists them (spend aside, which requests change). */
    private static String listing() throws Exception {
        var response = send("GET", "/api/keys?include_revoked=true", null);
        assertThat(response.statusCode()).isEqualTo(200);
        var list = JSON.readTree(response.body());
        for (JsonNode key : list.get("data")) {
            ((ObjectNode) key).remove(java.util.List.of("spend_micros", "spend_usd"));
        }
        return list.toString();
    }

    private static long rows() throws Exception {
        try (var connection = DriverManager.getConnection("jdbc:sqlite:" + database());
                var statement = connection.createStatement();
                var result = statement.executeQuery("SELECT COUNT(*) FROM virtual_keys")) {
            result.next();
            return result.getLong(1);
        }
    }

    private static HttpResponse<String> models(String secret) throws Exception {
        return GatewayFixture.HTTP.send(
                HttpRequest.newBuilder(URI.create(GatewayFixture.baseUrl(APP) + "/v1/models"))
                        .header("Authorization", "Bearer " + secret)
                        .timeout(Duration.ofSeconds(10))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Polls /v1/models with {@code secret} until it answers {@code status}; fails past {@code within}. */
    private static void awaitStatus(String secret, int status, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        int last;
        while ((last = models(secret).statusCode()) != status) {
            assertThat(System.nanoTime())
                    .as("GET /v1/models answered %d, not %d, within %s", last, status, within)
                    .isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private static HttpResponse<String> send(String method, String path, String body) throws Exception {
        var builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + APP.getAdminPort() + path))
                .timeout(Duration.ofSeconds(20));
        if (body == null) {
            builder.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            builder.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        }
        return GatewayFixture.HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static String body(String field, String value) {
        return "{" + quoted(field) + ":" + quoted(value) + "}";
    }

    private static String quoted(String text) {
        try {
            return JSON.writeValueAsString(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path database() {
        return directory.resolve("admin-input.db");
    }
}
