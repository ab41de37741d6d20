package io.switchboard.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.switchboard.SwitchboardConfiguration;
import io.switchboard.testing.Behavior;
import io.switchboard.testing.FakeUpstream;
import io.switchboard.testing.OpenAiWire;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Slow and endless uploads are cut off: a stalled body by the idle timeout, a trickle by the
 * minimum data rate, a steady but endless one by {@code gateway.requestReadTimeout}, each with a
 * 408 in OpenAI's shape. A slow upstream or a stream with long gaps is not cut by any of them.
 * Timeouts are scaled down: idle 1 s, 1 KiB/s, 2 s to read a body.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class SlowClientIntegrationTest {

    private static final FakeUpstream UPSTREAM = GatewayFixture.startUpstream();
    private static final DropwizardAppExtension<SwitchboardConfiguration> APP = GatewayFixture.app(
            UPSTREAM,
            ConfigOverride.config("server.applicationConnectors[0].idleTimeout", "1s"),
            ConfigOverride.config("server.applicationConnectors[0].minRequestDataPerSecond", "1KiB"),
            ConfigOverride.config("gateway.requestReadTimeout", "2s"),
            ConfigOverride.config("gateway.requestTimeout", "10s"),
            ConfigOverride.config("providers[0].streamDelay", "1500ms"),
            ConfigOverride.config("providers[1].readTimeout", "5s"));
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HEAD =
            "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n";

    @BeforeEach
    void setUp() {
        UPSTREAM.reset();
        GatewayFixture.listModels(UPSTREAM);
    }

    @AfterAll
    static void stopUpstream() {
        UPSTREAM.close();
    }

    /** What the server said and how long after the headers it said it. */
    private record Outcome(String response, Duration after) {

        int status() {
            return response.startsWith("HTTP/1.1 ") ? Integer.parseInt(response.substring(9, 12)) : 0;
        }
    }

    /** An uploader: sends the headers, then calls {@code body} until the server answers or 15 s pass. */
    private interface Uploader {
        /** @return false to stop sending (and only wait) */
        boolean send(OutputStream out, int round) throws IOException, InterruptedException;
    }

    private static Outcome upload(long contentLength, Duration pause, Uploader body) throws Exception {
        try (var socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", APP.getLocalPort()), 5_000);
            socket.setSoTimeout(50);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write((HEAD + "Content-Length: " + contentLength + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long start = System.nanoTime();
            var received = new ByteArrayOutputStream();
            boolean sending = true;
            for (int round = 0;
                    System.nanoTime() - start < Duration.ofSeconds(15).toNanos();
                    round++) {
                if (sending) {
                    try {
                        sending = body.send(out, round);
                        out.flush();
                    } catch (IOException closedByServer) {
                        sending = false;
                    }
                }
                long until = System.nanoTime() + pause.toNanos();
                while (System.nanoTime() < until) {
                    try {
                        int read = in.read();
                        if (read == -1) {
                            return new Outcome(
                                    received.toString(StandardCharsets.UTF_8),
                                    Duration.ofNanos(System.nanoTime() - start));
                        }
                        received.write(read);
                        received.write(in.readNBytes(in.available()));
                    } catch (SocketTimeoutException nothingYet) {
                        // keep going
                    } catch (IOException reset) {
                        return new Outcome(
                                received.toString(StandardCharsets.UTF_8), Duration.ofNanos(System.nanoTime() - start));
                    }
                }
            }
            return new Outcome(received.toString(StandardCharsets.UTF_8), Duration.ofSeconds(15));
        }
    }

    private static void assertTimedOut(Outcome outcome) throws Exception {
        assertThat(outcome.status()).as(outcome.response()).isEqualTo(408);
        String body = outcome.response().substring(outcome.response().indexOf("\r\n\r\n") + 4);
        var error = JSON.readTree(body).get("error");
        assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.get("code").asText()).isEqualTo("request_timeout");
    }

    @Test
    void aStalledUploadIsCutOffByTheIdleTimeout() throws Exception {
        var outcome = upload(1000, Duration.ofMillis(100), (out, round) -> {
            out.write("{\"model\":".getBytes(StandardCharsets.US_ASCII));
            return false;
        });

        assertTimedOut(outcome);
        assertThat(outcome.after()).isBetween(Duration.ofMillis(800), Duration.ofSeconds(5));
    }

    @Test
    void aTrickleBelowTheMinimumRateIsCutOff() throws Exception {
        // One byte every 300 ms: never idle for a whole second, but far below 1 KiB/s.
        var outcome = upload(10_000, Duration.ofMillis(300), (out, round) -> {
            out.write(round == 0 ? '{' : ' ');
            return true;
        });

        assertTimedOut(outcome);
        // Well before this app's 2 s requestReadTimeout, which would end it with the same 408.
        assertThat(outcome.after()).isLessThan(Duration.ofMillis(1500));
    }

    @Test
    void aSteadyButEndlessUploadIsCutOffByTheReadTimeout() throws Exception {
        // 2 KiB/s, twice the minimum rate, for a body that would take 25 s.
        byte[] piece = " ".repeat(400).getBytes(StandardCharsets.US_ASCII);
        var outcome = upload(50_000, Duration.ofMillis(200), (out, round) -> {
            out.write(round == 0 ? new byte[] {'{'} : piece);
            return true;
        });

        assertTimedOut(outcome);
        assertThat(outcome.after()).isBetween(Duration.ofMillis(1900), Duration.ofSeconds(6));
    }

    @Test
    void aSlowUpstreamIsNotCutByTheClientIdleTimeout() throws Exception {
        UPSTREAM.on(
                "POST",
                "/v1/chat/completions",
                Behavior.delay(
                        Duration.ofMillis(2500),
                        Behavior.json(200, OpenAiWire.chatCompletion("gpt-4o", "worth the wait"))));

        var response = GatewayFixture.postJson(
                APP,
                "/v1/chat/completions",
                "{\"model\":\"fake/gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).contains("worth the wait");
    }

    @Test
    void aStreamWithGapsLongerThanTheIdleTimeoutIsNotCut() throws Exception {
        // The builtin echo waits 1.5 s between words here; the idle timeout is 1 s.
        var response = GatewayFixture.postJson(
                APP,
                "/v1/chat/completions",
                "{\"model\":\"echo\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"slow but sure\"}]}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\" sure\"").endsWith("data: [DONE]\n\n");
    }
}
