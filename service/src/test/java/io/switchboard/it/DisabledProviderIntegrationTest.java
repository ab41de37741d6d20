package io.switchboard.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.errors.NotFoundException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import io.dropwizard.testing.ResourceHelpers;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.switchboard.SwitchboardApplication;
import io.switchboard.SwitchboardConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * A disabled provider says how to enable it: the environment variable its {@code apiKey} reads
 * is named in {@code GET /v1/providers}; a disabled default provider is a warning at start, and
 * the 404 for a bare model id it would have taken says why.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class DisabledProviderIntegrationTest {

    private static final Path APP_LOG = Path.of("target", "disabled-default-test", "app.log");
    private static final String VARIABLE = "SWITCHBOARD_IT_OPENAI_API_KEY";
    private static final String REASON =
            "apiKey is read from " + VARIABLE + ", which is not set; set " + VARIABLE + " to enable this provider";

    static {
        try {
            Files.deleteIfExists(APP_LOG);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final DropwizardAppExtension<SwitchboardConfiguration> APP = new DropwizardAppExtension<>(
            SwitchboardApplication.class, ResourceHelpers.resourceFilePath("disabled-default-config.yml"));

    @Test
    void providersNamesTheVariableThatEnablesTheProvider() throws Exception {
        var response = GatewayFixture.get(APP, "/v1/providers");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode openai =
                new ObjectMapper().readTree(response.body()).get("data").get(1);
        assertThat(openai.get("name").asText()).isEqualTo("openai");
        assertThat(openai.get("status").asText()).isEqualTo("disabled");
        assertThat(openai.get("error").asText()).isEqualTo(REASON);
    }

    @Test
    void aBareModelIdSaysTheDefaultProviderIsDisabledAndHowToEnableIt() {
        var client = GatewayFixture.openAi(APP);

        var e = catchThrowableOfType(
                NotFoundException.class,
                () -> client.chat()
                        .completions()
                        .create(ChatCompletionCreateParams.builder()
                                .model("gpt-4o")
                                .addUserMessage("hi")
                                .build()));

        assertThat(e).isNotNull();
        assertThat(e.getMessage())
                .contains("The model 'gpt-4o' does not exist. The default provider 'openai' is" + " disabled: " + REASON
                        + ".");
    }

    @Test
    void startupWarnsThatTheDefaultProviderIsDisabled() throws Exception {
        String warning = "The default provider 'openai' is disabled: " + REASON;
        // The file appender writes asynchronously.
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline
                && !(Files.exists(APP_LOG)
                        && Files.readString(APP_LOG, StandardCharsets.UTF_8).contains(warning))) {
            Thread.sleep(50);
        }

        assertThat(Files.readString(APP_LOG, StandardCharsets.UTF_8).lines())
                .anySatisfy(line -> assertThat(line).startsWith("WARN").contains(warning));
    }
}
