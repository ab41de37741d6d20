package io.switchboard.it;

import io.dropwizard.testing.ResourceHelpers;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.switchboard.SwitchboardApplication;
import io.switchboard.SwitchboardConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** With no provider able to serve, the gateway is alive but not ready; startup still succeeds. */
@ExtendWith(DropwizardExtensionsSupport.class)
class ReadinessIntegrationTest {

    private static final DropwizardAppExtension<SwitchboardConfiguration> APP = new DropwizardAppExtension<>(
            SwitchboardApplication.class, ResourceHelpers.resourceFilePath("unready-config.yml"));

    @Test
    void notReadyWhenNoProviderCanServe() throws Exception {
        assertThat(awaitStatus("/health-check?type=READY", 503)).isEqualTo(503);
        assertThat(GatewayFixture.get(APP, "/health-check?type=ALIVE").statusCode())
                .isEqualTo(200);
        var admin = GatewayFixture.HTTP.send(
                java.net.http.HttpRequest.newBuilder(
                                java.net.URI.create("http://127.0.0.1:" + APP.getAdminPort() + "/healthcheck"))
                        .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(admin.statusCode()).as("a critical check failed").isEqualTo(500);
        assertThat(admin.body())
                .contains("No provider can serve: down (down)")
                .contains("Cannot reach http://127.0.0.1:1/v1/models");
    }

    private static int awaitStatus(String path, int wanted) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        int status = GatewayFixture.get(APP, path).statusCode();
        while (status != wanted && System.nanoTime() < deadline) {
            Thread.sleep(100);
            status = GatewayFixture.get(APP, path).statusCode();
        }
        return status;
    }
}
