package io.switchboard.usage;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The models a key may use, as globs: {@code gpt-4o*}, {@code claude-*}, {@code openai/*},
 * {@code echo}. {@code *} is any run of characters (none included, {@code /} included) and
 * {@code ?} exactly one; every other character is itself, case included, as model ids are
 * matched everywhere else. A request is allowed when a pattern matches either the model string
 * it asked for (an alias, {@code gpt-4o}, {@code openai/gpt-4o}) or the {@code provider/model} it
 * resolved to. Matching is a loop over the characters, no regular expression, so no pattern can
 * make it slow: at most (pattern length × model length) steps.
 *
 * <p>Refused when compiled, with a message naming the pattern: an empty list (leave the list out
 * to allow every model), more than {@link #MAX_PATTERNS} patterns, an empty or blank pattern, one
 * longer than {@link #MAX_LENGTH}, or a character other than letters, digits and
 * {@code . _ - / : @ + * ?}.
 */
public final class ModelGlobs {

    public static final int MAX_PATTERNS = 100;
    public static final int MAX_LENGTH = 200;

    /** No restriction: every model. */
    public static final ModelGlobs ANY = new ModelGlobs(List.of("*"));

    private final List<String> patterns;

    private ModelGlobs(List<String> patterns) {
        this.patterns = List.copyOf(patterns);
    }

    /** The globs, checked; see the class comment for what is refused. */
    public static ModelGlobs compile(List<String> patterns) {
        List<String> problems = problems(patterns);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        return new ModelGlobs(patterns.stream().map(String::strip).toList());
    }

    /** A comma-separated list, as the CLI's {@code --models 'gpt-4o*,claude-*'} gives it. */
    public static ModelGlobs parse(String commaSeparated) {
        Objects.requireNonNull(commaSeparated, "models");
        return compile(List.of(commaSeparated.split(",", -1)));
    }

    /**
     * Everything wrong with a list of patterns, one message each (at most ten), empty when it
     * compiles: for the admin API's 400, which should name every bad pattern at once.
     */
    public static List<String> problems(List<String> patterns) {
        var problems = new ArrayList<String>();
        if (patterns == null || patterns.isEmpty()) {
            problems.add("the list of allowed models is empty, which would refuse every model;"
                    + " leave it out to allow all");
            return problems;
        }
        if (patterns.size() > MAX_PATTERNS) {
            problems.add("at most " + MAX_PATTERNS + " model patterns, not " + patterns.size());
            return problems;
        }
        for (String raw : patterns) {
            String problem = problem(raw);
            if (problem != null && problems.size() < 10) {
                problems.add(problem);
            }
        }
        return problems;
    }

    /** The patterns, as given (trimmed). */
    public List<String> patterns() {
        return patterns;
    }

    /**
     * Whether a request for {@code requested}, resolved to {@code resolved} ({@code provider/model};
     * null when not resolved yet), may go ahead.
     */
    public boolean allows(String requested, String resolved) {
        for (String pattern : patterns) {
            if ((requested != null && matches(pattern, requested))
                    || (resolved != null && matches(pattern, resolved))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Glob matching without backtracking blow-up: on a mismatch, go back only to the last
     * {@code *} and let it take one more character.
     */
    static boolean matches(String pattern, String text) {
        int p = 0;
        int t = 0;
        int star = -1;
        int starText = 0;
        while (t < text.length()) {
            if (p < pattern.length() && (pattern.charAt(p) == '?' || pattern.charAt(p) == text.charAt(t))) {
                p++;
                t++;
            } else if (p < pattern.length() && pattern.charAt(p) == '*') {
                star = p++;
                starText = t;
            } else if (star >= 0) {
                p = star + 1;
                t = ++starText;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }

    private static String problem(String raw) {
        if (raw == null || raw.isBlank()) {
            return "a model pattern is empty";
        }
        String pattern = raw.strip();
        String shown = printable(pattern);
        if (pattern.length() > MAX_LENGTH) {
            return "model pattern \"" + shown + "\" is longer than " + MAX_LENGTH + " characters";
        }
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            boolean safe = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || ".-_/:@+*?".indexOf(c) >= 0;
            if (!safe) {
                return "model pattern \"" + shown
                        + "\" has a character other than letters, digits and . _ - / : @ + * ?" + " (at position "
                        + (i + 1) + ")";
            }
        }
        return null;
    }

    /** A pattern as safe to quote: control characters escaped, at most 60 characters. */
    private static String printable(String pattern) {
        var out = new StringBuilder();
        for (int i = 0; i < pattern.length() && out.length() < 60; i++) {
            char c = pattern.charAt(i);
            out.append(Character.isISOControl(c) || c == '"' ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return pattern.length() > 60 ? out + "…" : out.toString();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ModelGlobs globs && globs.patterns.equals(patterns);
    }

    @Override
    public int hashCode() {
        return patterns.hashCode();
    }

    @Override
    public String toString() {
        return String.join(",", patterns);
    }
}
