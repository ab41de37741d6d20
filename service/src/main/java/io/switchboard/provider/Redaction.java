package io.switchboard.provider;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Takes key-like strings out of text that came from an upstream before it reaches a client or a
 * log. Upstreams quote keys in their errors, usually masked ({@code Incorrect API key provided:
 * sk-abc***xyz}), sometimes whole, and a misbehaving proxy may echo the request's headers back.
 * Even a masked key says which key a gateway uses, so it goes too.
 *
 * <p>Four rules, applied in order: credentials after an auth header name or scheme
 * ({@code Authorization: Bearer …}, {@code "x-api-key": "…"}); tokens with a known key prefix
 * ({@code sk-}, {@code gsk_}, {@code xai-}, {@code AIza} …); anything masked with {@code ***};
 * and long unbroken runs of letters and digits that mix both (Mistral's and Together's keys have
 * no prefix). Model ids, URLs and ordinary prose pass unchanged: they have hyphens, slashes or
 * dots every few characters.
 */
public final class Redaction {

    public static final String REDACTED = "[REDACTED]";

    /** Names that carry credentials: Authorization, *api-key*, x-*-token, *secret*, a query's key= … */
    private static final Pattern AUTH_VALUE = Pattern.compile(
            "(?i)(\\b(?:(?:proxy-)?authorization|[a-z0-9_-]*api[-_]?key"
                    + "|x-[a-z0-9_-]*(?:token|key|secret)|[a-z0-9_-]*secret[a-z0-9_-]*|(?:access|auth|refresh|session)[-_]token"
                    + "|password|passwd|(?<=[?&])key)\\b[\"']?\\s*[:=]\\s*[\"']?)(?:(?:bearer|basic|token)\\s+)?[^\\s\"',;&}]+");

    private static final Pattern AUTH_SCHEME = Pattern.compile("(?i)\\b(bearer|basic)\\s+([A-Za-z0-9._~+/=*-]{8,})");
    private static final Pattern PREFIXED = Pattern.compile("\\b(?:sk-|sk_|gsk_|xai-|csk-|pplx-|nvapi-|fw_|hf_|r8_)"
            + "[A-Za-z0-9_*.-]{2,}[A-Za-z0-9_*]|\\bAIza[A-Za-z0-9_-]{10,}");
    private static final Pattern MASKED =
            Pattern.compile("[^\\s\"'`,;:()\\[\\]{}<>]*\\*{3,}[^\\s\"'`,;:()\\[\\]{}<>]*");
    private static final Pattern LONG_TOKEN = Pattern.compile("\\b[A-Za-z0-9_]{32,}\\b");

    private Redaction() {}

    /** The text with every key-like part replaced by {@value #REDACTED}; null stays null. */
    public static String redact(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String out = AUTH_VALUE.matcher(text).replaceAll(match -> Matcher.quoteReplacement(match.group(1) + REDACTED));
        // "Bearer token" in prose stays; a credential has a digit or a mask in it.
        out = AUTH_SCHEME
                .matcher(out)
                .replaceAll(match -> Matcher.quoteReplacement(
                        looksLikeCredential(match.group(2)) ? match.group(1) + " " + REDACTED : match.group()));
        out = PREFIXED.matcher(out).replaceAll(REDACTED);
        out = MASKED.matcher(out).replaceAll(REDACTED);
        return LONG_TOKEN
                .matcher(out)
                .replaceAll(match ->
                        mixesLettersAndDigits(match.group()) ? REDACTED : Matcher.quoteReplacement(match.group()));
    }

    private static boolean looksLikeCredential(String token) {
        return token.chars().anyMatch(c -> Character.isDigit(c) || c == '*');
    }

    private static boolean mixesLettersAndDigits(String token) {
        boolean letter = false;
        boolean digit = false;
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            letter |= Character.isLetter(c);
            digit |= Character.isDigit(c);
        }
        return letter && digit;
    }
}
