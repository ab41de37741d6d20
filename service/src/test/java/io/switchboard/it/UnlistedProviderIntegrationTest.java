package io.switchboard.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.testing.Behavior;
import io.switchboard.testing.FakeUpstream;
import io.switchboard.testing.OpenAiWire;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An OpenAI-compatible server without a model list ({@code GET /models} answers 404, as some
 * do): reachable, healthy, and serving the ids it is given; not a provider that is down.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class UnlistedProviderIntegrationTest {

    private static final FakeUpstream UPSTREAM = startUpstream();
    private static final DropwizardAppExtension<SwitchboardConfiguration> APP = GatewayFixture.app(UPSTREAM);

    private static FakeUpstream startUpstream() {
        var upstream = FakeUpstream.start();
        upstream.on(
                "GET",
                "/v1/models",
                Behavior.json(404, OpenAiWire.error("Not found", "invalid_request_error", null, "not_found")));
        upstream.on(
                "POST", "/v1/chat/completions", Behavior.json(200, OpenAiWire.chatCompletion("served-model", "hi")));
        return upstream;
    }

    @AfterAll
    static void stopUpstream() {
        UPSTREAM.close();
    }

    @Test
    void aServerWithoutAModelListIsNotDownAndServesTheIdsItIsGiven() throws Exception {
        var providers = new ObjectMapper()
                .readTree(GatewayFixture.get(APP, "/v1/providers").body());
        var fake = java.util.stream.StreamSupport.stream(providers.get("data").spliterator(), false)
                .filter(provider -> provider.get("name").asText().equals("fake"))
                .findFirst()
                .orElseThrow();
        assertThat(fake.get("status").asText()).isEqualTo("unknown");

        var health = GatewayFixture.HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + APP.getAdminPort() + "/healthcheck"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        var check = new ObjectMapper().readTree(health.body()).get("provider-fake");
        assertThat(check.get("healthy").asBoolean()).isTrue();
        assertThat(check.get("message").asText()).contains("No model list at this server (HTTP 404)");

        var chat = GatewayFixture.postJson(
                APP,
                "/v1/chat/completions",
                "{\"model\":\"fake/served-model\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        assertThat(chat.statusCode()).isEqualTo(200);
        assertThat(chat.headers().firstValue("X-Switchboard-Provider")).hasValue("fake");
    }
}
