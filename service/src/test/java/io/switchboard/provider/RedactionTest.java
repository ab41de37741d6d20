package io.switchboard.provider;

import io.switchboard.api.ErrorDetail;
import io.switchboard.provider.http.UpstreamErrors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Key-like text leaves upstream messages; ordinary messages come through unchanged. */
class RedactionTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "Incorrect API key provided: sk-abc***xyz. You can find your API key at https://platform.openai.com/account/api-keys."
                        + "|Incorrect API key provided: [REDACTED]. You can find your API key at https://platform.openai.com/account/api-keys.",
                "Incorrect API key provided: sk-proj-AbCdEf0123456789AbCdEf0123456789|Incorrect API key provided: [REDACTED]",
                "invalid x-api-key: sk-ant-api03-abcdefGHIJ0123|invalid x-api-key: [REDACTED]",
                "Invalid API Key gsk_0123abcdEFGH4567ijkl|Invalid API Key [REDACTED]",
                "bad key xai-AAAA1111bbbb2222|bad key [REDACTED]",
                "API key not valid: AIzaSyA-1234567890abcdefghij|API key not valid: [REDACTED]",
                "key ending in ****************wxyz is wrong|key ending in [REDACTED] is wrong",
                "Unauthorized: 0123456789abcdef0123456789abcdef01|Unauthorized: [REDACTED]",
                "Mistral says 3kX9vQ2mZ8pL1nB7cR4tY6wE0aS5dF2g is invalid|Mistral says [REDACTED] is invalid",
                "echoed headers: {\"Authorization\": \"Bearer top-secret-value\", \"Host\": \"x\"}"
                        + "|echoed headers: {\"Authorization\": \"[REDACTED]\", \"Host\": \"x\"}",
                "Authorization: Bearer abc.def.ghi1|Authorization: [REDACTED]",
                "sent bearer 9f8e7d6c5b4a3f2e1d0c|sent bearer [REDACTED]",
                "x-api-key=supersecret;|x-api-key=[REDACTED];",
                "{\"api-key\":\"abcdef\"}|{\"api-key\":\"[REDACTED]\"}",
                "url https://h/v1?key=AIzaSy0123456789abcdef&x=1|url https://h/v1?key=[REDACTED]&x=1",
                "url https://h/v1?x=1&key=plainvalue|url https://h/v1?x=1&key=[REDACTED]",
                "{\"x-upstream-token\": \"hdr-value-1\", \"host\": \"h\"}|{\"x-upstream-token\": \"[REDACTED]\", \"host\": \"h\"}",
                "client_secret=abc&grant_type=x|client_secret=[REDACTED]&grant_type=x",
                "Proxy-Authorization: Basic dXNlcjpwYXNz|Proxy-Authorization: [REDACTED]",
            })
    void takesKeysOut(String text, String expected) {
        assertThat(Redaction.redact(text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "The model `gpt-4o-mini-2024-07-18` does not exist or you do not have access to it.",
                "The model 'meta-llama/Llama-3.1-70B-Instruct-Turbo' does not exist.",
                "Model accounts/fireworks/models/llama-v3p1-8b-instruct not found",
                "Cannot reach http://127.0.0.1:1/v1/chat/completions: connection refused",
                "Rate limit reached for gpt-4o in organization on requests per min (RPM): Limit 3, Used 3, Requested 1.",
                "You must send a Bearer token in the Authorization header.",
                "Invalid 'messages[0].content': string too long. Expected a string with maximum length 1048576.",
                "This model's maximum context length is 128000 tokens. However, you requested 130000 tokens.",
                "task-specific fine-tunes: see the basic usage guide",
                "HTTP 502 with an empty body",
                "Missing key: model. Unknown field: max_tokens: must be an integer",
                "Rate limit reached on tokens per min (TPM): Limit 30000, Used 29000",
            })
    void leavesOrdinaryMessagesAlone(String text) {
        assertThat(Redaction.redact(text)).isEqualTo(text);
    }

    @Test
    void nullAndEmptyStayAsTheyAre() {
        assertThat(Redaction.redact(null)).isNull();
        assertThat(Redaction.redact("")).isEmpty();
    }

    @Test
    void everyProviderExceptionIsRedacted() {
        var e = UpstreamErrors.fromStatus(
                "openai",
                401,
                new ErrorDetail(
                        "Incorrect API key provided: sk-abc***xyz.", "invalid_request_error", null, "invalid_api_key"),
                null);

        assertThat(e.getMessage()).isEqualTo("Incorrect API key provided: [REDACTED].");
        assertThat(e.upstreamError().message()).isEqualTo("Incorrect API key provided: [REDACTED].");
        assertThat(e.upstreamError().code()).isEqualTo("invalid_api_key");
        assertThat(new ProviderException(ProviderException.Kind.CONNECT, "p", "key sk-live-0123456789 failed")
                        .getMessage())
                .isEqualTo("key [REDACTED] failed");
    }
}
