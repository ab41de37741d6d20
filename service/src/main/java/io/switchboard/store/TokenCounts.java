package io.switchboard.store;

/**
 * The token counts a provider reported for one request; null where it reported nothing (unknown
 * is not zero). Cached read and cache write are counted as the provider counts them; turning them
 * into cost is {@code io.switchboard.usage}'s business.
 */
public record TokenCounts(Long prompt, Long completion, Long cachedRead, Long cacheWrite, Long reasoning) {

    /** Nothing reported. */
    public static final TokenCounts UNKNOWN = new TokenCounts(null, null, null, null, null);

    public TokenCounts {
        for (Long count : new Long[] {prompt, completion, cachedRead, cacheWrite, reasoning}) {
            if (count != null && count < 0) {
                throw new IllegalArgumentException("token counts must not be negative");
            }
        }
    }
}
