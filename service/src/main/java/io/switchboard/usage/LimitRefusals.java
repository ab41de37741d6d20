package io.switchboard.usage;

import io.switchboard.api.ApiException;
import io.switchboard.api.ErrorDetail;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** The 429s of the per-call limits, in OpenAI's shape, the same whichever counters refused. */
public final class LimitRefusals {

    private LimitRefusals() {}

    /** A spent budget: {@code type: insufficient_quota}, which OpenAI's SDKs raise as a RateLimitError. */
    public static ApiException quotaExceeded(Admission.Refused refused, Instant now) {
        var headers = new LinkedHashMap<String, String>();
        refused.retryAfterSeconds(now).ifPresent(seconds -> headers.put("Retry-After", Long.toString(seconds)));
        return new ApiException(
                429,
                new ErrorDetail(refused.message(), "insufficient_quota", null, Admission.Refused.ERROR_CODE),
                Map.copyOf(headers));
    }

    /** Tokens per minute reached: OpenAI's {@code type: tokens}, {@code code: rate_limit_exceeded}. */
    public static ApiException tokensExceeded(int tpm, long wanted, long waitNanos) {
        long seconds = Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
        return new ApiException(
                429,
                new ErrorDetail(
                        "Rate limit reached for tokens per min (TPM) on this API key:" + " Limit " + tpm
                                + ", Requested " + wanted + ". Please try again in " + seconds + "s.",
                        "tokens",
                        null,
                        "rate_limit_exceeded"),
                Map.of("Retry-After", Long.toString(seconds)));
    }
}
