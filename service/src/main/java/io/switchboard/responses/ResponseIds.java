package io.switchboard.responses;

import java.util.concurrent.ThreadLocalRandom;

/** Ids in OpenAI's style: a prefix ({@code resp_}, {@code msg_}, {@code fc_} …) and 48 hex digits. */
final class ResponseIds {

    private ResponseIds() {}

    static String next(String prefix) {
        var random = ThreadLocalRandom.current();
        var id = new StringBuilder(prefix.length() + 48).append(prefix);
        for (int i = 0; i < 3; i++) {
            String hex = Long.toHexString(random.nextLong());
            id.append("0".repeat(16 - hex.length())).append(hex);
        }
        return id.toString();
    }
}
