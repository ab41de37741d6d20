package io.switchboard.auth;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Durations as OpenAI writes them in {@code x-ratelimit-reset-*} ({@code 12ms}, {@code 8.64s},
 * {@code 6m0s}): Go's {@code time.Duration} format, to the millisecond, rounded up so a client
 * that waits that long is never early.
 */
final class GoDuration {

    private GoDuration() {}

    static String format(long nanos) {
        long millis = Math.max(0, (nanos + 999_999L) / 1_000_000L);
        if (millis == 0) {
            return "0s";
        }
        if (millis < 1000) {
            return millis + "ms";
        }
        long minutes = millis / 60_000;
        long restMillis = millis % 60_000;
        String seconds = BigDecimal.valueOf(restMillis)
                .divide(BigDecimal.valueOf(1000), 3, RoundingMode.UNNECESSARY)
                .stripTrailingZeros()
                .toPlainString();
        return (minutes > 0 ? minutes + "m" : "") + seconds + "s";
    }
}
