package io.switchboard.store;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What an operator may change on a virtual key. The checks here are the store's last line of
 * defence (nothing out of bounds is ever written); the admin API and the CLI check the same
 * bounds first, with the constants below, to answer 400 instead.
 *
 * @param name         shown in listings and reports
 * @param tags         free labels, e.g. {@code team} and {@code owner}; kept sorted by name
 * @param models       glob patterns of the models and aliases the key may use; empty: all
 * @param budgetMicros spend allowed per period, in micro-dollars; null: no budget
 * @param budgetPeriod when the budget starts again; set exactly when {@code budgetMicros} is
 * @param rpm          requests per minute; null: no limit of its own
 * @param tpm          tokens per minute; null: no limit of its own
 * @param expiresAt    epoch milliseconds after which the key is refused; null: never
 * @param enabled      false: refused, but not revoked (can be enabled again)
 */
public record KeySettings(
        String name,
        Map<String, String> tags,
        List<String> models,
        Long budgetMicros,
        BudgetPeriod budgetPeriod,
        Integer rpm,
        Integer tpm,
        Long expiresAt,
        boolean enabled) {

    public static final int MAX_NAME_LENGTH = 200;
    public static final int MAX_TAGS = 32;
    public static final int MAX_TAG_LENGTH = 200;
    public static final int MAX_MODELS = 100;
    public static final int MAX_MODEL_LENGTH = 200;
    /** A billion dollars: anything above is a typo, and stays far from overflowing a sum. */
    public static final long MAX_BUDGET_MICROS = 1_000_000_000L * 1_000_000L;

    public KeySettings {
        requireText("name", name, MAX_NAME_LENGTH);
        if (tags == null || tags.size() > MAX_TAGS) {
            throw new IllegalArgumentException("tags: at most " + MAX_TAGS + " are allowed");
        }
        tags.forEach((tag, value) -> {
            requireText("tag name", tag, MAX_TAG_LENGTH);
            requireText("tag value", value, MAX_TAG_LENGTH);
        });
        tags = Collections.unmodifiableMap(new TreeMap<>(tags));
        if (models == null || models.size() > MAX_MODELS) {
            throw new IllegalArgumentException("models: at most " + MAX_MODELS + " patterns are allowed");
        }
        models.forEach(model -> requireText("model pattern", model, MAX_MODEL_LENGTH));
        models = List.copyOf(models);
        if ((budgetMicros == null) != (budgetPeriod == null)) {
            throw new IllegalArgumentException("a budget needs its period, and a period its budget");
        }
        if (budgetMicros != null && (budgetMicros < 0 || budgetMicros > MAX_BUDGET_MICROS)) {
            throw new IllegalArgumentException("budget must be between 0 and " + MAX_BUDGET_MICROS + " micro-dollars");
        }
        if (rpm != null && rpm < 1 || tpm != null && tpm < 1) {
            throw new IllegalArgumentException("rpm and tpm must be positive");
        }
        if (expiresAt != null && expiresAt < 0) {
            throw new IllegalArgumentException("expiry must be after 1970");
        }
    }

    private static void requireText(String what, String value, int maxLength) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " must not be empty");
        }
        if (value.length() > maxLength) {
            throw new IllegalArgumentException(what + " is longer than " + maxLength + " characters");
        }
        if (value.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException(what + " must not contain control characters");
        }
    }
}
