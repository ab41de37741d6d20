package io.switchboard.api;

/** Client-sent text made safe to quote in an error message. */
public final class Printable {

    private Printable() {}

    /**
     * {@code value} with control characters shown escaped ({@code \u000a}) and cut after
     * {@code maxChars} characters, marked by an ellipsis.
     */
    public static String of(String value, int maxChars) {
        boolean cut = value.length() > maxChars;
        String kept = cut ? value.substring(0, maxChars) : value;
        var out = new StringBuilder(kept.length() + 1);
        for (int i = 0; i < kept.length(); i++) {
            char c = kept.charAt(i);
            if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        if (cut) {
            out.append('…');
        }
        return out.toString();
    }
}
