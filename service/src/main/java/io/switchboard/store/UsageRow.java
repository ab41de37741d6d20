package io.switchboard.store;

import java.util.Objects;

/**
 * One client request in the usage ledger.
 *
 * <p>Text that came from a client (the model asked for, a request id it sent) is made safe to
 * store here, because one row the database refuses would hold up every row batched with it:
 * longer than {@link #MAX_TEXT_LENGTH} is cut, and NUL (which PostgreSQL's text refuses) becomes
 * U+FFFD.
 *
 * @param requestId      the gateway's request id
 * @param ts             when the request arrived, epoch milliseconds
 * @param keyId          the gateway or virtual key's id; null when the API is open
 * @param endpoint       e.g. {@code chat.completions}, {@code embeddings}
 * @param provider       who served it (the last attempt's); null when no provider was tried
 * @param modelRequested the model as the client asked for it
 * @param modelServed    the upstream model that answered; null when none did
 * @param streamed       the client asked for a stream
 * @param status         the HTTP status the client got
 * @param errorKind      the error's kind when the request failed (e.g. {@code rate_limited}); null on success
 * @param attempts       upstream attempts made (retries and fallbacks included); 0 when none
 * @param tokens         what the provider reported
 * @param costMicros     micro-dollars; null when the price is unknown (never 0 as a guess)
 * @param latencyMs      from arrival to the last byte
 * @param ttftMs         to the first streamed chunk; null for JSON responses
 */
public record UsageRow(
        String requestId,
        long ts,
        String keyId,
        String endpoint,
        String provider,
        String modelRequested,
        String modelServed,
        boolean streamed,
        int status,
        String errorKind,
        int attempts,
        TokenCounts tokens,
        Long costMicros,
        long latencyMs,
        Long ttftMs) {

    public static final int MAX_TEXT_LENGTH = 256;

    public UsageRow {
        requestId = safe(Objects.requireNonNull(requestId, "requestId"));
        endpoint = safe(Objects.requireNonNull(endpoint, "endpoint"));
        keyId = safe(keyId);
        provider = safe(provider);
        modelRequested = safe(modelRequested);
        modelServed = safe(modelServed);
        errorKind = safe(errorKind);
        tokens = tokens == null ? TokenCounts.UNKNOWN : tokens;
        if (ts < 0
                || attempts < 0
                || latencyMs < 0
                || ttftMs != null && ttftMs < 0
                || costMicros != null && costMicros < 0) {
            throw new IllegalArgumentException("times, attempts and cost must not be negative");
        }
    }

    private static String safe(String text) {
        if (text == null) {
            return null;
        }
        int end = Math.min(text.length(), MAX_TEXT_LENGTH);
        // Not between the two halves of a surrogate pair.
        String cut = end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))
                ? text.substring(0, end - 1)
                : text.substring(0, end);
        return cut.indexOf('\0') >= 0 ? cut.replace('\0', '\uFFFD') : cut;
    }
}
