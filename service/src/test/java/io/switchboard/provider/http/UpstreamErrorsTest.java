package io.switchboard.provider.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.api.ErrorDetail;
import io.switchboard.provider.ProviderException;
import io.switchboard.provider.ProviderException.Kind;
import io.switchboard.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class UpstreamErrorsTest {

    private static final String PROVIDER = "acme";
    private static final String URL = "https://api.acme.test/v1/chat/completions";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final UpstreamErrorParser PARSER = UpstreamErrors.openAiParser(MAPPER);

    @ParameterizedTest(name = "HTTP {0} -> {1}")
    @CsvSource({
        "400, UPSTREAM_4XX",
        "401, AUTHENTICATION",
        "403, AUTHENTICATION",
        "404, UPSTREAM_4XX",
        "408, TIMEOUT",
        "409, UPSTREAM_4XX",
        "413, UPSTREAM_4XX",
        "422, UPSTREAM_4XX",
        "429, RATE_LIMITED",
        "500, UPSTREAM_5XX",
        "502, UPSTREAM_5XX",
        "503, UPSTREAM_5XX",
        "504, UPSTREAM_5XX",
        "529, UPSTREAM_5XX",
    })
    void statusToKind(int status, Kind expected) {
        assertThat(UpstreamErrors.kindOf(status)).isEqualTo(expected);

        var error = UpstreamErrors.fromStatus(PROVIDER, status, null, null);
        assertThat(error.kind()).isEqualTo(expected);
        assertThat(error.upstreamStatus()).isEqualTo(status);
        assertThat(error.provider()).isEqualTo(PROVIDER);
        assertThat(error.getMessage()).isEqualTo("HTTP " + status);
    }

    @Test
    void fromStatusKeepsTheUpstreamErrorAndRetryAfter() {
        var detail = new ErrorDetail("Rate limit reached for gpt-4o", "requests", null, "rate_limit_exceeded");
        var error = UpstreamErrors.fromStatus(PROVIDER, 429, detail, Duration.ofSeconds(7));

        assertThat(error.kind()).isEqualTo(Kind.RATE_LIMITED);
        assertThat(error.getMessage()).isEqualTo("Rate limit reached for gpt-4o");
        assertThat(error.upstreamError()).isSameAs(detail);
        assertThat(error.retryAfter()).isEqualTo(Duration.ofSeconds(7));
    }

    @Test
    void fromStatusFallsBackToTheStatusWhenTheUpstreamErrorHasNoMessage() {
        var error = UpstreamErrors.fromStatus(PROVIDER, 503, new ErrorDetail(null, "server_error", null, null), null);
        assertThat(error.getMessage()).isEqualTo("HTTP 503");
        assertThat(error.upstreamError().type()).isEqualTo("server_error");
    }

    /** A transport failure, how to wrap it, and the kind and message words it must come out as. */
    static Stream<Arguments> transportFailures() {
        Function<Throwable, Throwable> bare = t -> t;
        Function<Throwable, Throwable> oneLevel = t -> new ExecutionException(t);
        Function<Throwable, Throwable> twoLevels = t -> new CompletionException(new RuntimeException("jetty", t));
        Function<Throwable, Throwable> ioWrapper = t -> new IOException("wrapped", t);
        var rows = Stream.<Arguments>builder();
        var wrappings = new Object[][] {
            {"bare", bare},
            {"in ExecutionException", oneLevel},
            {"two levels deep", twoLevels},
            {"in an IOException with a cause", ioWrapper}
        };
        Object[][] failures = {
            {new ConnectException("Connection refused"), Kind.CONNECT, "Cannot reach " + URL + ": connection refused"},
            {new NoRouteToHostException("No route to host"), Kind.CONNECT, "Cannot reach " + URL},
            {
                new TimeoutException("Total timeout 30000 ms elapsed"),
                Kind.TIMEOUT,
                "No response from " + URL + " in time"
            },
            {new SocketTimeoutException("Read timed out"), Kind.TIMEOUT, "Read timed out"},
            {new UnknownHostException("api.acme.test"), Kind.CONNECT, "host name does not resolve"},
            {new EOFException(), Kind.CONNECT, "closed before the response was complete"},
            {new ClosedChannelException(), Kind.CONNECT, "closed before the response was complete"},
            {new CancellationException(), Kind.CANCELLED, "was cancelled"},
        };
        for (Object[] failure : failures) {
            for (Object[] wrapping : wrappings) {
                @SuppressWarnings("unchecked")
                var wrap = (Function<Throwable, Throwable>) wrapping[1];
                var cause = (Throwable) failure[0];
                rows.add(Arguments.of(
                        cause.getClass().getSimpleName() + " " + wrapping[0],
                        cause,
                        wrap.apply(cause),
                        failure[1],
                        failure[2]));
            }
        }
        return rows.build();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transportFailures")
    void transportFailureToKind(String name, Throwable cause, Throwable thrown, Kind kind, String messagePart) {
        var error = UpstreamErrors.fromFailure(PROVIDER, URL, thrown);

        assertThat(error.kind()).isEqualTo(kind);
        assertThat(error.provider()).isEqualTo(PROVIDER);
        assertThat(error.upstreamStatus()).isZero();
        assertThat(error.getMessage()).contains(messagePart);
        assertThat(error.getCause()).isSameAs(cause);
    }

    @Test
    void aProviderExceptionInsideIsReturnedAsItIs() {
        var inner = new ProviderException(Kind.MALFORMED, "other", "bad frame");
        assertThat(UpstreamErrors.fromFailure(PROVIDER, URL, new CompletionException(inner)))
                .isSameAs(inner);
    }

    @Test
    void theOutermostRecognisedFailureWins() {
        // A call given up on (cancelled) because it was slow is a cancellation, not a timeout.
        var cancelled = new CancellationException("client left");
        cancelled.initCause(new TimeoutException());
        assertThat(UpstreamErrors.fromFailure(PROVIDER, URL, cancelled).kind()).isEqualTo(Kind.CANCELLED);

        var timedOut = new SocketTimeoutException("Read timed out");
        timedOut.initCause(new ConnectException("Connection refused"));
        assertThat(UpstreamErrors.fromFailure(PROVIDER, URL, timedOut).kind()).isEqualTo(Kind.TIMEOUT);
    }

    @Test
    void anUnrecognisedFailureIsAConnectFailureNamingIt() {
        var error = UpstreamErrors.fromFailure(PROVIDER, URL, new IllegalStateException("HTTP/2 GOAWAY"));
        assertThat(error.kind()).isEqualTo(Kind.CONNECT);
        assertThat(error.getMessage()).isEqualTo("Request to " + URL + " failed: HTTP/2 GOAWAY");

        var unnamed = UpstreamErrors.fromFailure(PROVIDER, URL, new IllegalStateException());
        assertThat(unnamed.getMessage()).isEqualTo("Request to " + URL + " failed: IllegalStateException");
    }

    @Test
    void aPlainIoExceptionIsAConnectFailure() {
        var error = UpstreamErrors.fromFailure(PROVIDER, URL, new IOException("Connection reset by peer"));
        assertThat(error.kind()).isEqualTo(Kind.CONNECT);
        assertThat(error.getMessage()).isEqualTo("Connection to " + URL + " failed: Connection reset by peer");
    }

    @ParameterizedTest(name = "\"{0}\" -> {1} ms")
    @CsvSource({
        "120, 120000",
        "0, 0",
        "1.5, 1500",
        "0.25, 250",
        "' 3 ', 3000",
        "99999999999999999999, 86400000",
    })
    void retryAfterInSeconds(String header, long millis) {
        assertThat(UpstreamErrors.parseRetryAfter(header)).isEqualTo(Duration.ofMillis(millis));
    }

    @Test
    void retryAfterAsAFutureHttpDate() {
        String header = DateTimeFormatter.RFC_1123_DATE_TIME.format(
                ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(90));
        Duration delay = UpstreamErrors.parseRetryAfter(header);
        // The header has whole seconds, and a moment passes between formatting and parsing.
        assertThat(delay.toMillis()).isBetween(85_000L, 90_000L);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Wed, 21 Oct 2015 07:28:00 GMT", "Thu, 1 Jan 1970 00:00:00 GMT"})
    void retryAfterAsAPastHttpDateIsZero(String header) {
        assertThat(UpstreamErrors.parseRetryAfter(header)).isEqualTo(Duration.ZERO);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"   ", "soon", "-5", "-0.5", "12 seconds", "Wed, 21 Oct 2015", "2015-10-21T07:28:00Z"})
    void retryAfterThatIsAbsentOrUnreadableIsNull(String header) {
        assertThat(UpstreamErrors.parseRetryAfter(header)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"NaN", "Infinity", "1e9999", "0x10p0", "10f", "5d", "-0", "1.", ".5"})
    void retryAfterThatIsNotDeltaSecondsIsNull(String header) {
        assertThat(UpstreamErrors.parseRetryAfter(header)).isNull();
    }

    @Test
    void openAiErrorBody() {
        ErrorDetail detail = PARSER.parse(401, fixture("/fixtures/openai/error.response.shape.json"));

        assertThat(detail.message()).startsWith("Incorrect API key provided");
        assertThat(detail.type()).isEqualTo("invalid_request_error");
        assertThat(detail.param()).isNull();
        assertThat(detail.code()).isEqualTo("invalid_api_key");
    }

    /** Error bodies as compatible servers send them, and the detail they must give. */
    static Stream<Arguments> errorBodies() {
        return Stream.of(
                Arguments.of(
                        "error object with every field",
                        "{\"error\":{\"message\":\"Invalid 'temperature'\",\"type\":\"invalid_request_error\","
                                + "\"param\":\"temperature\",\"code\":\"decimal_above_max_value\"}}",
                        400,
                        new ErrorDetail(
                                "Invalid 'temperature'",
                                "invalid_request_error",
                                "temperature",
                                "decimal_above_max_value")),
                Arguments.of(
                        "numeric code becomes text",
                        "{\"error\":{\"message\":\"slow down\",\"type\":\"rate_limit\",\"code\":429}}",
                        429,
                        new ErrorDetail("slow down", "rate_limit", null, "429")),
                Arguments.of(
                        "error object without message",
                        "{\"error\":{\"type\":\"server_error\"}}",
                        500,
                        new ErrorDetail("HTTP 500", "server_error", null, null)),
                Arguments.of(
                        "error as a string",
                        "{\"error\":\"model not loaded\"}",
                        503,
                        new ErrorDetail("model not loaded", null, null, null)),
                Arguments.of(
                        "message at the top",
                        "{\"message\":\"Unauthorized\",\"status\":401}",
                        401,
                        new ErrorDetail("Unauthorized", null, null, null)),
                Arguments.of(
                        "detail at the top",
                        "{\"detail\":\"Not Found\"}",
                        404,
                        new ErrorDetail("Not Found", null, null, null)),
                Arguments.of(
                        "detail as a validation list (FastAPI)",
                        "{\"detail\":[{\"loc\":[\"body\",\"model\"],\"msg\":\"field required\"}]}",
                        422,
                        new ErrorDetail(
                                "[{\"loc\":[\"body\",\"model\"],\"msg\":\"field required\"}]", null, null, null)),
                Arguments.of(
                        "message wins over detail",
                        "{\"detail\":\"second\",\"message\":\"first\"}",
                        400,
                        new ErrorDetail("first", null, null, null)),
                Arguments.of(
                        "null error falls through to message",
                        "{\"error\":null,\"message\":\"oops\"}",
                        500,
                        new ErrorDetail("oops", null, null, null)),
                Arguments.of(
                        "unknown JSON object is quoted",
                        "{\"status\":\"bad\"}",
                        502,
                        new ErrorDetail("HTTP 502: {\"status\":\"bad\"}", null, null, null)),
                Arguments.of(
                        "JSON array is quoted", "[1,2]", 502, new ErrorDetail("HTTP 502: [1,2]", null, null, null)),
                Arguments.of(
                        "HTML is quoted",
                        "<html><body><h1>502 Bad Gateway</h1></body></html>\n",
                        502,
                        new ErrorDetail(
                                "HTTP 502: <html><body><h1>502 Bad Gateway</h1></body></html>", null, null, null)),
                Arguments.of(
                        "plain text is quoted and stripped",
                        "  upstream connect error  \n",
                        503,
                        new ErrorDetail("HTTP 503: upstream connect error", null, null, null)),
                Arguments.of(
                        "truncated JSON is quoted",
                        "{\"error\":{\"message\":",
                        500,
                        new ErrorDetail("HTTP 500: {\"error\":{\"message\":", null, null, null)),
                Arguments.of("empty body", "", 504, new ErrorDetail("HTTP 504 with an empty body", null, null, null)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("errorBodies")
    void parsesErrorBodies(String name, String body, int status, ErrorDetail expected) {
        assertThat(PARSER.parse(status, body.getBytes(StandardCharsets.UTF_8))).isEqualTo(expected);
    }

    @Test
    void nullBodyIsAnEmptyBody() {
        assertThat(PARSER.parse(502, null)).isEqualTo(new ErrorDetail("HTTP 502 with an empty body", null, null, null));
    }

    @Test
    void longBodyIsQuotedButBounded() {
        String body = "<html>" + "x".repeat(100_000) + "</html>";
        ErrorDetail detail = PARSER.parse(502, body.getBytes(StandardCharsets.UTF_8));

        assertThat(detail.message()).startsWith("HTTP 502: <html>xxx");
        assertThat(detail.message()).endsWith("…");
        assertThat(detail.message()).hasSize("HTTP 502: ".length() + 500 + 1);
        assertThat(detail.message()).doesNotContain("</html>");
    }

    @Test
    void longMultibyteBodyIsBoundedByCharactersNotBytes() {
        String body = "é".repeat(3000); // 2 bytes each
        ErrorDetail detail = PARSER.parse(500, body.getBytes(StandardCharsets.UTF_8));

        assertThat(detail.message()).isEqualTo("HTTP 500: " + "é".repeat(500) + "…");
    }

    @Test
    void truncationDoesNotSplitASurrogatePair() {
        String body = "a" + "🚀".repeat(1000); // char 499 is the high half of an emoji
        ErrorDetail detail = PARSER.parse(502, body.getBytes(StandardCharsets.UTF_8));

        String message = detail.message();
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            if (Character.isHighSurrogate(c)) {
                assertThat(i + 1 < message.length() && Character.isLowSurrogate(message.charAt(i + 1)))
                        .as("high surrogate at %d is paired", i)
                        .isTrue();
            }
        }
        assertThat(message).endsWith("…");
    }

    @Test
    void readTreeIsNullForAnythingButJson() {
        assertThat(UpstreamErrors.readTree(MAPPER, null)).isNull();
        assertThat(UpstreamErrors.readTree(MAPPER, new byte[0])).isNull();
        assertThat(UpstreamErrors.readTree(MAPPER, "<html>".getBytes(StandardCharsets.UTF_8)))
                .isNull();
        assertThat(UpstreamErrors.readTree(MAPPER, "{\"a\":1}".getBytes(StandardCharsets.UTF_8))
                        .path("a")
                        .asInt())
                .isEqualTo(1);
    }

    @Test
    void fractionalRetryAfterKeepsMilliseconds() {
        assertThat(UpstreamErrors.parseRetryAfter("0.001").toMillis()).isEqualTo(1);
        assertThat(UpstreamErrors.parseRetryAfter("2.9999").toMillis()).isCloseTo(2999L, within(1L));
    }

    private static byte[] fixture(String path) {
        return Fixtures.bytes(path);
    }
}
