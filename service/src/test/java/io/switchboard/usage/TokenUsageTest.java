package io.switchboard.usage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.jackson.Jackson;
import io.switchboard.api.EmbeddingUsage;
import io.switchboard.api.Usage;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Each API's way of counting comes out as the same billed split. */
class TokenUsageTest {

    private static final ObjectMapper JSON = Jackson.newObjectMapper();

    static Usage usage(String json) throws Exception {
        return JSON.readValue(json, Usage.class);
    }

    @Test
    void openAiPromptTokensIncludeCachedTokens() throws Exception {
        TokenUsage usage = TokenUsage.fromOpenAi(usage("""
                {"prompt_tokens":2006,"completion_tokens":300,"total_tokens":2306,
                 "prompt_tokens_details":{"cached_tokens":1920,"audio_tokens":0},
                 "completion_tokens_details":{"reasoning_tokens":128,"audio_tokens":0}}"""));

        assertThat(usage).isEqualTo(new TokenUsage(86, 1920, 0, 0, 300, 128, 0, 2006, 300));
    }

    @Test
    void theAnthropicAdapterAsItIsTodayLeavesCacheWritesAsPlainInput() throws Exception {
        // AnthropicMapper.usage today: prompt = input 10 + creation 5 + read 100, cached = read.
        TokenUsage usage = TokenUsage.fromOpenAi(usage("""
                {"prompt_tokens":115,"completion_tokens":7,"total_tokens":122,
                 "prompt_tokens_details":{"cached_tokens":100}}"""));

        assertThat(usage.inputTokens())
                .as("the 5 written tokens cannot be told apart")
                .isEqualTo(15);
        assertThat(usage.cacheWriteTokens()).isZero();
    }

    @Test
    void theAnthropicAdapterWithTheCacheCreationExtensionMatchesAnthropicsOwnCounts() throws Exception {
        JsonNode anthropic = JSON.readTree("""
                {"input_tokens":10,"cache_creation_input_tokens":500,"cache_read_input_tokens":100,"output_tokens":7,
                 "cache_creation":{"ephemeral_5m_input_tokens":200,"ephemeral_1h_input_tokens":300}}""");
        Usage adapted = usage("""
                {"prompt_tokens":610,"completion_tokens":7,"total_tokens":617,
                 "prompt_tokens_details":{"cached_tokens":100,"cache_creation_tokens":500,"cache_creation_1h_tokens":300}}""");

        TokenUsage expected = new TokenUsage(10, 100, 500, 300, 7, 0, 0, 610, 7);
        assertThat(TokenUsage.fromAnthropic(anthropic)).isEqualTo(expected);
        assertThat(TokenUsage.fromOpenAi(adapted)).isEqualTo(expected);
        assertThat(TokenUsage.fromOpenAi(JSON.valueToTree(adapted)))
                .as("the raw chunk form")
                .isEqualTo(expected);
    }

    @Test
    void geminiCountsAsTheAdapterMapsThem() throws Exception {
        // usageMetadata {promptTokenCount 1000 (includes cachedContentTokenCount 600), toolUsePromptTokenCount 20,
        // candidatesTokenCount 50, thoughtsTokenCount 200} as GeminiMapper.usage maps it:
        TokenUsage usage = TokenUsage.fromOpenAi(usage("""
                {"prompt_tokens":1020,"completion_tokens":250,"total_tokens":1270,
                 "prompt_tokens_details":{"cached_tokens":600},
                 "completion_tokens_details":{"reasoning_tokens":200}}"""));

        assertThat(usage).isEqualTo(new TokenUsage(420, 600, 0, 0, 250, 200, 0, 1020, 250));
    }

    @Test
    void deepSeeksCacheHitsAreReadWhenCachedTokensAreAbsent() throws Exception {
        TokenUsage usage = TokenUsage.fromOpenAi(usage("""
                {"prompt_tokens":1000,"completion_tokens":10,"total_tokens":1010,
                 "prompt_cache_hit_tokens":640,"prompt_cache_miss_tokens":360}"""));

        assertThat(usage.inputTokens()).isEqualTo(360);
        assertThat(usage.cacheReadTokens()).isEqualTo(640);
    }

    @Test
    void responsesApiCounts() throws Exception {
        TokenUsage usage = TokenUsage.fromResponses(JSON.readTree("""
                {"input_tokens":5000,"input_tokens_details":{"cached_tokens":4096},
                 "output_tokens":900,"output_tokens_details":{"reasoning_tokens":700},"total_tokens":5900}"""));

        assertThat(usage).isEqualTo(new TokenUsage(904, 4096, 0, 0, 900, 700, 0, 5000, 900));
    }

    @Test
    void embeddingsAndPlainCounts() {
        assertThat(TokenUsage.fromEmbedding(new EmbeddingUsage(42, 42, Map.of())))
                .isEqualTo(new TokenUsage(42, 0, 0, 0, 0, 0, 0, 42, 0));
        assertThat(TokenUsage.of(3, 4).totalPromptTokens()).isEqualTo(3);
    }

    @Test
    void audioTokensAreCountedInAndOut() throws Exception {
        TokenUsage usage = TokenUsage.fromOpenAi(usage("""
                {"prompt_tokens":100,"completion_tokens":50,"total_tokens":150,
                 "prompt_tokens_details":{"audio_tokens":30},"completion_tokens_details":{"audio_tokens":20}}"""));

        assertThat(usage.audioTokens()).isEqualTo(50);
    }

    @Test
    void inconsistentOrHostileCountsNeverGoNegative() throws Exception {
        TokenUsage moreCachedThanPrompt = TokenUsage.fromOpenAi(usage("""
                {"prompt_tokens":10,"completion_tokens":1,"total_tokens":11,"prompt_tokens_details":{"cached_tokens":50}}"""));
        assertThat(moreCachedThanPrompt.inputTokens()).isZero();
        assertThat(moreCachedThanPrompt.cacheReadTokens()).isEqualTo(50);

        TokenUsage garbage = TokenUsage.fromOpenAi(JSON.readTree("""
                {"prompt_tokens":-5,"completion_tokens":"many","prompt_tokens_details":{"cached_tokens":1.5},
                 "completion_tokens_details":[]}"""));
        assertThat(garbage).isEqualTo(TokenUsage.NONE);

        TokenUsage huge = TokenUsage.fromAnthropic(JSON.readTree("""
                {"input_tokens":9223372036854775807,"cache_read_input_tokens":9223372036854775807}"""));
        assertThat(huge.promptTokens()).as("saturates, never wraps").isEqualTo(Long.MAX_VALUE);

        assertThat(TokenUsage.fromAnthropic(null)).isEqualTo(TokenUsage.NONE);
        assertThat(TokenUsage.fromResponses(JSON.readTree("[]"))).isEqualTo(TokenUsage.NONE);
        assertThatThrownBy(() -> new TokenUsage(0, 0, 1, 2, 0, 0, 0, 0, 0)).hasMessageContaining("1-hour cache writes");
    }
}
