package io.switchboard.usage;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.api.EmbeddingUsage;
import io.switchboard.api.Usage;

/**
 * The token counts of one request, split the way they are billed. Every API counts differently
 * (below), so the ledger and {@link Cost} only ever see this one shape.
 *
 * <ul>
 *   <li>{@code inputTokens}: prompt tokens billed at the plain input rate (neither read from nor
 *       written to a cache);</li>
 *   <li>{@code cacheReadTokens}: prompt tokens read from the provider's cache;</li>
 *   <li>{@code cacheWriteTokens}: prompt tokens written to the cache (Anthropic's; all of them,
 *       5-minute and 1-hour), of which {@code cacheWrite1hTokens} were 1-hour writes;</li>
 *   <li>{@code outputTokens}: completion tokens, reasoning included;</li>
 *   <li>{@code reasoningTokens}: the part of the output that was reasoning, for reporting only;</li>
 *   <li>{@code audioTokens}: audio tokens in or out, which vendors price apart from text; the
 *       table carries no audio prices, so a usage with audio has an unknown cost;</li>
 *   <li>{@code promptTokens}, {@code completionTokens}: the totals as the provider reported them
 *       (OpenAI's meaning: the prompt includes cached tokens), for the ledger.</li>
 * </ul>
 *
 * A provider can report inconsistent counts (more cached tokens than prompt tokens); then the
 * uncached input is 0, never negative, and the counts it did report are kept as they are.
 */
public record TokenUsage(
        long inputTokens,
        long cacheReadTokens,
        long cacheWriteTokens,
        long cacheWrite1hTokens,
        long outputTokens,
        long reasoningTokens,
        long audioTokens,
        long promptTokens,
        long completionTokens) {

    public static final TokenUsage NONE = new TokenUsage(0, 0, 0, 0, 0, 0, 0, 0, 0);

    public TokenUsage {
        requireCount(inputTokens, "inputTokens");
        requireCount(cacheReadTokens, "cacheReadTokens");
        requireCount(cacheWriteTokens, "cacheWriteTokens");
        requireCount(cacheWrite1hTokens, "cacheWrite1hTokens");
        requireCount(outputTokens, "outputTokens");
        requireCount(reasoningTokens, "reasoningTokens");
        requireCount(audioTokens, "audioTokens");
        requireCount(promptTokens, "promptTokens");
        requireCount(completionTokens, "completionTokens");
        if (cacheWrite1hTokens > cacheWriteTokens) {
            throw new IllegalArgumentException("1-hour cache writes (" + cacheWrite1hTokens
                    + ") are part of all cache writes (" + cacheWriteTokens + ")");
        }
    }

    /** Plain input and output, nothing cached: what the builtin provider and most servers report. */
    public static TokenUsage of(long inputTokens, long outputTokens) {
        return new TokenUsage(inputTokens, 0, 0, 0, outputTokens, 0, 0, inputTokens, outputTokens);
    }

    /** The whole prompt as the vendors' long-context thresholds count it. */
    public long totalPromptTokens() {
        return inputTokens + cacheReadTokens + cacheWriteTokens;
    }

    /**
     * From our OpenAI-shaped usage, whoever produced it. {@code prompt_tokens} includes every
     * prompt token; {@code prompt_tokens_details.cached_tokens} are cache reads. Cache writes are
     * read from Switchboard's extension {@code prompt_tokens_details.cache_creation_tokens} (all
     * writes) and {@code prompt_tokens_details.cache_creation_1h_tokens} (the 1-hour ones), which
     * only the Anthropic adapter has reason to fill in; without them the writes are counted as
     * plain input. DeepSeek reports cache reads as top-level {@code prompt_cache_hit_tokens};
     * that is read when {@code cached_tokens} is absent.
     *
     * <p>What each adapter puts here: the Anthropic adapter sums {@code input_tokens},
     * {@code cache_read_input_tokens} and {@code cache_creation_input_tokens} into
     * {@code prompt_tokens} and reports the reads as {@code cached_tokens}; the Gemini adapter's
     * {@code prompt_tokens} is {@code promptTokenCount} (which includes
     * {@code cachedContentTokenCount}) plus {@code toolUsePromptTokenCount}, its
     * {@code cached_tokens} is {@code cachedContentTokenCount}, and its {@code completion_tokens}
     * include {@code thoughtsTokenCount}, reported again as {@code reasoning_tokens}, all billed as
     * output by Google.
     */
    public static TokenUsage fromOpenAi(Usage usage) {
        JsonNode promptDetails = usage.extra().get("prompt_tokens_details");
        JsonNode completionDetails = usage.extra().get("completion_tokens_details");
        JsonNode deepSeekHits = usage.extra().get("prompt_cache_hit_tokens");
        return openAiShaped(
                usage.promptTokens(), usage.completionTokens(), promptDetails, completionDetails, deepSeekHits);
    }

    /**
     * The same from a raw {@code usage} object, as a pass-through stream's last chunk carries it.
     * A missing or non-object node is no usage at all.
     */
    public static TokenUsage fromOpenAi(JsonNode usage) {
        if (usage == null || !usage.isObject()) {
            return NONE;
        }
        return openAiShaped(
                count(usage.get("prompt_tokens")),
                count(usage.get("completion_tokens")),
                usage.get("prompt_tokens_details"),
                usage.get("completion_tokens_details"),
                usage.get("prompt_cache_hit_tokens"));
    }

    /** An embeddings call: prompt tokens only, never cached. */
    public static TokenUsage fromEmbedding(EmbeddingUsage usage) {
        return of(usage.promptTokens(), 0);
    }

    /**
     * From Anthropic's own {@code usage} object (a Messages API ingress, or a {@code message_delta}
     * merged over {@code message_start} as a stream reports it). Anthropic's {@code input_tokens}
     * EXCLUDES cache reads and writes, unlike OpenAI's {@code prompt_tokens}. The 1-hour writes
     * are {@code cache_creation.ephemeral_1h_input_tokens}. Extended thinking is billed in
     * {@code output_tokens} and not reported apart, so reasoning is 0.
     */
    public static TokenUsage fromAnthropic(JsonNode usage) {
        if (usage == null || !usage.isObject()) {
            return NONE;
        }
        long input = count(usage.get("input_tokens"));
        long read = count(usage.get("cache_read_input_tokens"));
        long write = count(usage.get("cache_creation_input_tokens"));
        long write1h = Math.min(write, count(usage.path("cache_creation").get("ephemeral_1h_input_tokens")));
        long output = count(usage.get("output_tokens"));
        return new TokenUsage(input, read, write, write1h, output, 0, 0, sum(input, read, write), output);
    }

    /**
     * From OpenAI's Responses API {@code usage}: {@code input_tokens} includes
     * {@code input_tokens_details.cached_tokens}; {@code output_tokens} includes
     * {@code output_tokens_details.reasoning_tokens}.
     */
    public static TokenUsage fromResponses(JsonNode usage) {
        if (usage == null || !usage.isObject()) {
            return NONE;
        }
        long input = count(usage.get("input_tokens"));
        long cached = count(usage.path("input_tokens_details").get("cached_tokens"));
        long output = count(usage.get("output_tokens"));
        long reasoning = count(usage.path("output_tokens_details").get("reasoning_tokens"));
        return new TokenUsage(Math.max(0, input - cached), cached, 0, 0, output, reasoning, 0, input, output);
    }

    private static TokenUsage openAiShaped(
            long prompt, long completion, JsonNode promptDetails, JsonNode completionDetails, JsonNode deepSeekHits) {
        prompt = Math.max(0, prompt);
        completion = Math.max(0, completion);
        JsonNode details = promptDetails != null && promptDetails.isObject() ? promptDetails : null;
        long read = details != null && details.hasNonNull("cached_tokens")
                ? count(details.get("cached_tokens"))
                : count(deepSeekHits);
        long write = details != null ? count(details.get("cache_creation_tokens")) : 0;
        long write1h = details != null ? Math.min(write, count(details.get("cache_creation_1h_tokens"))) : 0;
        long audioIn = details != null ? count(details.get("audio_tokens")) : 0;
        JsonNode outDetails = completionDetails != null && completionDetails.isObject() ? completionDetails : null;
        long reasoning = outDetails != null ? count(outDetails.get("reasoning_tokens")) : 0;
        long audioOut = outDetails != null ? count(outDetails.get("audio_tokens")) : 0;
        long input = Math.max(0, prompt - read - write);
        return new TokenUsage(
                input, read, write, write1h, completion, reasoning, sum(audioIn, audioOut, 0), prompt, completion);
    }

    /** A count from the wire: a non-negative integer, anything else (absent, null, negative, text) is 0. */
    private static long count(JsonNode node) {
        if (node == null || !node.isIntegralNumber() || !node.canConvertToLong()) {
            return 0;
        }
        return Math.max(0, node.asLong());
    }

    /** Counts from the wire are added saturating: absurd counts must not wrap to negative. */
    private static long sum(long a, long b, long c) {
        long ab = a + b;
        long abc = ab + c;
        return ab < 0 || abc < 0 ? Long.MAX_VALUE : abc;
    }

    private static void requireCount(long value, String name) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " cannot be negative: " + value);
        }
    }
}
