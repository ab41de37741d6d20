package io.switchboard.usage;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Model globs: * and ? only, matched on the asked-for model or the resolved provider/model. */
class ModelGlobsTest {

    @ParameterizedTest(name = "{0} ~ {1} = {2}")
    @CsvSource({
        "gpt-4o*, gpt-4o, true",
        "gpt-4o*, gpt-4o-mini, true",
        "gpt-4o*, gpt-4, false",
        "gpt-4o*, openai/gpt-4o, false",
        "claude-*, claude-sonnet-4-5, true",
        "claude-*, claude, false",
        "openai/*, openai/gpt-4o, true",
        "openai/*, openai/, true",
        "openai/*, azure/gpt-4o, false",
        "*/gpt-4o, azure/gpt-4o, true",
        "gpt-?o, gpt-4o, true",
        "gpt-?o, gpt-4, false",
        "gpt-?o, gpt-40o, false",
        "echo, echo, true",
        "echo, echo2, false",
        "Echo, echo, false",
        "*, anything/at:all, true",
        "*a*b, xaxxb, true",
        "*a*b, xaxxbc, false",
        "a**b, ab, true",
        "??, a, false",
        "llama3:*, llama3:8b, true"
    })
    void matching(String pattern, String model, boolean matches) {
        assertThat(ModelGlobs.matches(pattern, model)).isEqualTo(matches);
    }

    @Test
    void eitherTheRequestedOrTheResolvedModelMayMatch() {
        ModelGlobs globs = ModelGlobs.parse("gpt-4o*, claude-*,openai/*");

        assertThat(globs.patterns()).containsExactly("gpt-4o*", "claude-*", "openai/*");
        assertThat(globs.allows("gpt-4o-mini", "openai/gpt-4o-mini")).isTrue();
        assertThat(globs.allows("cheap", "openai/gpt-4o-mini"))
                .as("an alias that resolves to an allowed id")
                .isTrue();
        assertThat(globs.allows("anthropic/claude-sonnet-4-5", "anthropic/claude-sonnet-4-5"))
                .isFalse();
        assertThat(globs.allows("claude-sonnet-4-5", null)).isTrue();
        assertThat(globs.allows("gemini/gemini-2.5-pro", "gemini/gemini-2.5-pro"))
                .isFalse();
        assertThat(ModelGlobs.ANY.allows("whatever", null)).isTrue();
        assertThat(globs.toString()).isEqualTo("gpt-4o*,claude-*,openai/*");
        assertThat(globs).isEqualTo(ModelGlobs.compile(List.of("gpt-4o*", "claude-*", "openai/*")));
    }

    @Test
    void badGlobsAreRefusedNamingThePattern() {
        assertThatThrownBy(() -> ModelGlobs.compile(List.of())).hasMessageContaining("leave it out to allow all");
        assertThatThrownBy(() -> ModelGlobs.parse("gpt-4o*,,claude-*"))
                .hasMessageContaining("a model pattern is empty");
        assertThatThrownBy(() -> ModelGlobs.parse("gpt 4o"))
                .hasMessageContaining("\"gpt 4o\"")
                .hasMessageContaining("position 4");
        assertThatThrownBy(() -> ModelGlobs.parse("gpt-[45]o")).hasMessageContaining("\"gpt-[45]o\"");
        assertThatThrownBy(() -> ModelGlobs.parse("'; DROP TABLE keys;--")).hasMessageContaining("DROP TABLE");
        assertThatThrownBy(() -> ModelGlobs.parse("a\nb")).hasMessageContaining("a\\u000ab");
        assertThatThrownBy(() -> ModelGlobs.parse("x".repeat(201)))
                .hasMessageContaining("longer than 200")
                .hasMessageContaining("x".repeat(60) + "…");
        assertThatThrownBy(() -> ModelGlobs.compile(Collections.nCopies(101, "gpt-*")))
                .hasMessageContaining("at most 100 model patterns, not 101");
        assertThat(ModelGlobs.problems(List.of("ok-*", "bad one", "é", "fine"))).hasSize(2);
        assertThat(ModelGlobs.compile(List.of("x".repeat(200)))).isNotNull();
    }

    @Test
    @Timeout(2)
    void noPatternIsSlow() {
        String pattern = "*a".repeat(99) + "*b";
        String model = "a".repeat(200);
        for (int i = 0; i < 1_000; i++) {
            assertThat(ModelGlobs.compile(List.of(pattern)).allows(model, model))
                    .isFalse();
        }
    }

    @Property
    void agreesWithARegularExpressionOfTheSameGlob(
            @ForAll @StringLength(max = 8) @Chars({'a', 'b', '/', '*', '?'}) String pattern,
            @ForAll @StringLength(max = 10) @CharRange(from = 'a', to = 'c') String model) {
        var regex = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            regex.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
        }
        assertThat(ModelGlobs.matches(pattern, model))
                .isEqualTo(Pattern.compile(regex.toString(), Pattern.DOTALL)
                        .matcher(model)
                        .matches());
    }
}
