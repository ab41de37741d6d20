package io.switchboard.it;

import com.openai.client.okhttp.OpenAIOkHttpClient;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.switchboard.SwitchboardApplication;
import io.switchboard.SwitchboardConfiguration;
import org.eclipse.jetty.server.NetworkConnector;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 15, point 4: open only on purpose. With no gateway keys and no host in config.yml the
 * API listens on loopback; with keys it listens on every interface; a host set explicitly is
 * kept; an admin connector without a host is on loopback whatever else the file says.
 */
class BindDefaultsIntegrationTest {

    private static final Path DIR = Path.of("target", "bind-defaults-test");

    private static Path config(String name, String apiHost, String gateway) throws IOException {
        Files.createDirectories(DIR);
        var file = DIR.resolve(name + ".yml");
        Files.writeString(
                file,
                """
                server:
                  applicationConnectors:
                    - type: http
                      port: 0
                %s
                  adminConnectors:
                    - type: http
                      port: 0
                logging:
                  level: WARN
                gateway:
                  refreshPeriod: 0s
                  localDiscovery:
                    enabled: false
                %s
                providers:
                  - name: builtin
                    type: builtin
                """.formatted(
                                apiHost == null
                                        ? ""
                                        : ("bindHost: " + apiHost).indent(6).stripTrailing(),
                                gateway.indent(2).stripTrailing()),
                UTF_8);
        return file;
    }

    /** The host each connector of the started app bound, by Dropwizard's connector name. */
    private static Map<String, String> hosts(String config) throws Exception {
        var app = new DropwizardAppExtension<SwitchboardConfiguration>(SwitchboardApplication.class, config);
        app.before();
        try {
            var hosts = new HashMap<String, String>();
            for (var connector :
                    app.getEnvironment().getApplicationContext().getServer().getConnectors()) {
                var network = (NetworkConnector) connector;
                hosts.put(connector.getName(), String.valueOf(network.getHost()));
            }
            // The API answers an SDK client on loopback whichever way it is bound.
            var client = OpenAIOkHttpClient.builder()
                    .baseUrl("http://127.0.0.1:" + app.getLocalPort() + "/v1")
                    .apiKey("sk-bind-test-key")
                    .build();
            assertThat(client.models().list().data()).isNotEmpty();
            return hosts;
        } finally {
            app.after();
        }
    }

    @Test
    void withoutKeysTheApiListensOnLoopbackOnly() throws Exception {
        var hosts = hosts(config("no-keys", null, "").toString());

        assertThat(hosts).containsEntry("application", "127.0.0.1").containsEntry("admin", "127.0.0.1");
    }

    @Test
    void withKeysAnUnsetHostIsEveryInterfaceButTheAdminPortStaysOnLoopback() throws Exception {
        var hosts = hosts(config("keys", null, "apiKeys: sk-bind-test-key").toString());

        assertThat(hosts).containsEntry("application", "null").containsEntry("admin", "127.0.0.1");
    }

    @Test
    void aHostSetExplicitlyIsKeptEvenWithoutKeys() throws Exception {
        var hosts = hosts(config("explicit", "0.0.0.0", "").toString());

        assertThat(hosts).containsEntry("application", "0.0.0.0").containsEntry("admin", "127.0.0.1");
    }
}
