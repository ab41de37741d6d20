package io.switchboard.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.testing.ResourceHelpers;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.switchboard.SwitchboardApplication;
import io.switchboard.SwitchboardConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The access log line the default config writes (request id, route, status, provider, model,
 * streamed) and the JSON log layout for log shippers, as docs/operations.md shows them.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class LoggingIntegrationTest {

    private static final Path ACCESS = Path.of("target", "logging-test", "access.log");
    private static final Path APP_LOG = Path.of("target", "logging-test", "app.json");

    static {
        try {
            Files.deleteIfExists(ACCESS);
            Files.deleteIfExists(APP_LOG);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static final DropwizardAppExtension<SwitchboardConfiguration> APP = new DropwizardAppExtension<>(
            SwitchboardApplication.class, ResourceHelpers.resourceFilePath("logging-config.yml"));

    @Test
    void accessLogNamesTheRequestTheRouteAndWhoServedIt() throws Exception {
        chat("log-test-1", "echo-alias-free");
        GatewayFixture.postJson(
                APP,
                "/v1/chat/completions",
                "{\"model\":\"builtin/echo\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        chat("log-test-2", "builtin/echo");

        // Other tests write here too: wait for this test's three lines, whatever else is there.
        List<String> lines = awaitLines(
                ACCESS,
                all -> all.stream()
                                .filter(line -> line.contains(" log-test-1 ")
                                        || line.contains(" log-test-2 ")
                                        || line.contains("streamed=true"))
                                .count()
                        >= 3);

        assertThat(lines)
                .anySatisfy(line -> assertThat(line)
                        .contains(" log-test-2 \"POST /v1/chat/completions HTTP/1.1\" 200 ")
                        .endsWith("provider=builtin model=builtin/echo streamed=false"));
        assertThat(lines)
                .anySatisfy(line -> assertThat(line)
                        .matches(".* req_[0-9a-f]{32} \"POST /v1/chat/completions HTTP/1.1\" 200 .*")
                        .endsWith("provider=builtin model=builtin/echo streamed=true"));
        assertThat(lines)
                .anySatisfy(line -> assertThat(line)
                        .contains(" log-test-1 \"POST /v1/chat/completions HTTP/1.1\" 404 ")
                        .endsWith("provider=- model=- streamed=false"));
    }

    @Test
    void applicationLogIsJsonForLogShippers() throws Exception {
        var mapper = new ObjectMapper();
        var events = new ArrayList<JsonNode>();
        for (String line : awaitLines(APP_LOG, all -> !all.isEmpty())) {
            events.add(mapper.readTree(line));
        }

        assertThat(events).allSatisfy(event -> {
            assertThat(event.has("level")).isTrue();
            assertThat(event.has("message")).isTrue();
            assertThat(event.has("timestamp")).isTrue();
        });
        assertThat(events)
                .anySatisfy(event ->
                        assertThat(event.get("message").asText()).contains("Provider builtin (builtin): up, 3 models"));
    }

    @Test
    void aFailedUpstreamCallIsLoggedWithTheRequestsId() throws Exception {
        var response = chat("log-test-3", "dead/m");
        assertThat(response.statusCode()).isBetween(502, 504);

        String failure =
                awaitLines(APP_LOG, all -> all.stream().anyMatch(line -> line.contains("Upstream dead failed")))
                        .stream()
                        .filter(line -> line.contains("Upstream dead failed"))
                        .findFirst()
                        .orElse(null);
        assertThat(failure).as("the mapper's log line for the failed call").isNotNull();
        assertThat(new ObjectMapper()
                        .readTree(failure)
                        .path("mdc")
                        .path("requestId")
                        .asText())
                .isEqualTo("log-test-3");
    }

    /** A non-streamed chat request with this request id. */
    private static HttpResponse<String> chat(String requestId, String model) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(GatewayFixture.baseUrl(APP) + "/v1/chat/completions"))
                .header("Content-Type", "application/json")
                .header("X-Request-Id", requestId)
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"))
                .build();
        return GatewayFixture.HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** The file's non-blank lines once {@code enough} holds of them, or as they are after 10 s. */
    private static List<String> awaitLines(Path file, Predicate<List<String>> enough) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        List<String> lines = List.of();
        while (System.nanoTime() < deadline) {
            if (Files.exists(file)) {
                lines = Files.readAllLines(file).stream()
                        .filter(line -> !line.isBlank())
                        .toList();
                if (enough.test(lines)) {
                    return lines;
                }
            }
            Thread.sleep(50);
        }
        return lines;
    }
}
