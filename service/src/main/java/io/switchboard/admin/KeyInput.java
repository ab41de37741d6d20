package io.switchboard.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.store.BudgetPeriod;
import io.switchboard.store.KeySettings;
import io.switchboard.usage.ModelGlobs;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a client may say about a key, read strictly from JSON (the admin API) or built from
 * command-line options: every field optional (an update changes only what it names), unknown
 * fields refused, each problem named by its field. Money is exact: {@code budget_usd} is a decimal
 * of at most six places, held as micro-dollars.
 *
 * <p>Names, tag names and tag values are labels for people and reports: letters of any script
 * (with their combining marks), digits, spaces and {@value #LABEL_PUNCTUATION}. Quotes,
 * semicolons, backslashes, control and formatting characters (such as a right-to-left override)
 * are refused here, whatever the caller, so they never reach a table, a log line, the CLI's
 * output or the admin page. (The store binds every value, so this is not what keeps SQL out; it
 * keeps labels plain.)
 */
public record KeyInput(
        String name,
        Map<String, String> tags,
        List<String> models,
        Long budgetMicros,
        boolean budgetCleared,
        BudgetPeriod budgetPeriod,
        Integer rpm,
        Integer tpm,
        Long expiresAt,
        boolean expiryCleared,
        Boolean enabled) {

    static final Set<String> FIELDS =
            Set.of("name", "tags", "models", "budget_usd", "budget_period", "rpm", "tpm", "expires_at", "enabled");
    private static final BigDecimal MICROS = BigDecimal.valueOf(1_000_000);
    /** What a label may hold besides letters, combining marks, digits and spaces. */
    static final String LABEL_PUNCTUATION = "-_.:@/+()#";

    /** Checks what the record says, naming the field: from JSON and from the command line alike. */
    public KeyInput {
        if (name != null) {
            checkLabel("name", "the name", name, KeySettings.MAX_NAME_LENGTH);
        }
        if (tags != null) {
            if (tags.size() > KeySettings.MAX_TAGS) {
                throw new IllegalArgumentException("tags: at most " + KeySettings.MAX_TAGS + " are allowed");
            }
            tags.forEach((tag, value) -> {
                checkLabel("tags", "a tag name", tag, KeySettings.MAX_TAG_LENGTH);
                checkLabel("tags", "the value of tag '" + tag + "'", value, KeySettings.MAX_TAG_LENGTH);
            });
        }
        if (models != null && !models.isEmpty()) {
            var problems = ModelGlobs.problems(models);
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("models: " + String.join("; ", problems));
            }
        }
    }

    /** Reads a JSON object; {@link IllegalArgumentException} names the first problem. */
    public static KeyInput fromJson(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new IllegalArgumentException("The body must be a JSON object");
        }
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String field = names.next();
            if (!FIELDS.contains(field)) {
                throw new IllegalArgumentException(
                        "Unknown field '" + field.substring(0, Math.min(64, field.length())) + "'; a key has "
                                + String.join(", ", FIELDS.stream().sorted().toList()));
            }
        }
        String name = text(body, "name");
        Map<String, String> tags = null;
        if (present(body, "tags")) {
            JsonNode node = body.get("tags");
            if (!node.isObject()) {
                throw new IllegalArgumentException("tags: must be an object of strings, e.g. {\"team\":\"a\"}");
            }
            tags = new LinkedHashMap<>();
            for (var field : (Iterable<Map.Entry<String, JsonNode>>) node::fields) {
                if (!field.getValue().isTextual()) {
                    throw new IllegalArgumentException(
                            "tags: the value of tag '" + shorten(field.getKey()) + "' must be a string");
                }
                tags.put(field.getKey(), field.getValue().textValue());
            }
        }
        List<String> models = null;
        if (present(body, "models")) {
            JsonNode node = body.get("models");
            if (!node.isArray()) {
                throw new IllegalArgumentException("models: must be an array of patterns, e.g. [\"gpt-4o*\"]");
            }
            models = new ArrayList<>();
            for (JsonNode item : node) {
                if (!item.isTextual()) {
                    throw new IllegalArgumentException("models: every pattern must be a string");
                }
                models.add(item.textValue());
            }
        }
        Long budget = null;
        boolean budgetCleared = body.has("budget_usd") && body.get("budget_usd").isNull();
        if (present(body, "budget_usd")) {
            JsonNode node = body.get("budget_usd");
            if (!node.isNumber() && !node.isTextual()) {
                throw new IllegalArgumentException("budget_usd: must be a decimal number of dollars, e.g. \"50.00\"");
            }
            budget = usd(node.asText());
        }
        BudgetPeriod period = present(body, "budget_period") ? period(text(body, "budget_period")) : null;
        Integer rpm = count(body, "rpm");
        Integer tpm = count(body, "tpm");
        boolean expiryCleared = body.has("expires_at") && body.get("expires_at").isNull();
        Long expires = present(body, "expires_at") ? expiry(text(body, "expires_at")) : null;
        Boolean enabled = null;
        if (present(body, "enabled")) {
            if (!body.get("enabled").isBoolean()) {
                throw new IllegalArgumentException("enabled: must be true or false");
            }
            enabled = body.get("enabled").booleanValue();
        }
        return new KeyInput(
                name, tags, models, budget, budgetCleared, period, rpm, tpm, expires, expiryCleared, enabled);
    }

    /** The settings of a new key: a name is required; a budget needs its period (monthly if not said). */
    public KeySettings toNewSettings() {
        if (name == null) {
            throw new IllegalArgumentException("name: a key needs a name");
        }
        return new KeySettings(
                name,
                tags != null ? tags : Map.of(),
                models != null ? models : List.of(),
                budgetMicros,
                budgetMicros != null ? (budgetPeriod != null ? budgetPeriod : BudgetPeriod.MONTHLY) : null,
                rpm,
                tpm,
                expiresAt,
                enabled == null || enabled);
    }

    /** {@code current} with what this input names changed. */
    public KeySettings applyTo(KeySettings current) {
        Long budget = budgetCleared ? null : budgetMicros != null ? budgetMicros : current.budgetMicros();
        BudgetPeriod period = budget == null
                ? null
                : budgetPeriod != null
                        ? budgetPeriod
                        : current.budgetPeriod() != null ? current.budgetPeriod() : BudgetPeriod.MONTHLY;
        return new KeySettings(
                name != null ? name : current.name(),
                tags != null ? tags : current.tags(),
                models != null ? models : current.models(),
                budget,
                period,
                rpm != null ? rpm : current.rpm(),
                tpm != null ? tpm : current.tpm(),
                expiryCleared ? null : expiresAt != null ? expiresAt : current.expiresAt(),
                enabled != null ? enabled : current.enabled());
    }

    /** Dollars as exact micro-dollars: at most six decimal places, not negative, at most a billion. */
    public static long usd(String text) {
        BigDecimal dollars;
        try {
            dollars = new BigDecimal(text.strip());
        } catch (NumberFormatException | NullPointerException e) {
            throw new IllegalArgumentException("budget_usd: '" + shorten(text) + "' is not a number of dollars");
        }
        if (dollars.signum() < 0) {
            throw new IllegalArgumentException("budget_usd: a budget cannot be negative");
        }
        if (dollars.stripTrailingZeros().scale() > 6) {
            throw new IllegalArgumentException("budget_usd: at most six decimal places (one micro-dollar)");
        }
        BigDecimal micros = dollars.multiply(MICROS);
        if (micros.compareTo(BigDecimal.valueOf(KeySettings.MAX_BUDGET_MICROS)) > 0) {
            throw new IllegalArgumentException(
                    "budget_usd: at most " + KeySettings.MAX_BUDGET_MICROS / 1_000_000 + " dollars");
        }
        return micros.longValueExact();
    }

    public static BudgetPeriod period(String text) {
        try {
            return BudgetPeriod.of(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("budget_period: must be daily, weekly, monthly or total");
        }
    }

    /** A date ({@code 2027-01-01}, midnight UTC) or an instant ({@code 2027-01-01T12:00:00Z}). */
    public static long expiry(String text) {
        try {
            if (text.length() == 10) {
                return LocalDate.parse(text)
                        .atStartOfDay(ZoneOffset.UTC)
                        .toInstant()
                        .toEpochMilli();
            }
            return Instant.parse(text).toEpochMilli();
        } catch (DateTimeParseException | NullPointerException e) {
            throw new IllegalArgumentException("expires_at: '" + shorten(text) + "' is not a date (2027-01-01) or an"
                    + " instant (2027-01-01T00:00:00Z)");
        }
    }

    /**
     * A label: not blank, at most {@code maxLength} characters, and only the characters the class
     * comment lists. The message names the field and the first character refused (as U+XXXX when
     * it would not print plainly).
     */
    private static void checkLabel(String field, String what, String value, int maxLength) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + ": " + what + " must not be empty");
        }
        if (value.length() > maxLength) {
            throw new IllegalArgumentException(field + ": " + what + " is longer than " + maxLength + " characters");
        }
        for (int i = 0; i < value.length(); ) {
            int c = value.codePointAt(i);
            int type = Character.getType(c);
            boolean allowed = Character.isLetterOrDigit(c)
                    || c == ' '
                    || LABEL_PUNCTUATION.indexOf(c) >= 0
                    || type == Character.NON_SPACING_MARK
                    || type == Character.COMBINING_SPACING_MARK;
            if (!allowed) {
                String shown = Character.isISOControl(c)
                                || Character.isWhitespace(c)
                                || type == Character.FORMAT
                                || Character.isSpaceChar(c)
                        ? String.format("U+%04X", c)
                        : "'" + Character.toString(c) + "'";
                throw new IllegalArgumentException(field + ": " + what + " has " + shown + " at position "
                        + (value.codePointCount(0, i) + 1) + "; allowed are letters, digits, spaces and "
                        + String.join(" ", LABEL_PUNCTUATION.split("")));
            }
            i += Character.charCount(c);
        }
    }

    private static boolean present(JsonNode body, String field) {
        return body.has(field) && !body.get(field).isNull();
    }

    private static String text(JsonNode body, String field) {
        if (!present(body, field)) {
            return null;
        }
        if (!body.get(field).isTextual()) {
            throw new IllegalArgumentException(field + ": must be a string");
        }
        return body.get(field).textValue();
    }

    private static Integer count(JsonNode body, String field) {
        if (!present(body, field)) {
            return null;
        }
        JsonNode node = body.get(field);
        if (!node.canConvertToInt() || !node.isIntegralNumber() || node.intValue() < 1) {
            throw new IllegalArgumentException(field + ": must be a whole number from 1 to " + Integer.MAX_VALUE);
        }
        return node.intValue();
    }

    private static String shorten(String text) {
        if (text == null) {
            return "";
        }
        return text.length() > 40 ? text.substring(0, 40) + "…" : text;
    }
}
