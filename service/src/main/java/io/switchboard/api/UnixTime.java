package io.switchboard.api;

/** The clock of OpenAI's {@code created} fields: whole seconds since the epoch. */
public final class UnixTime {

    private UnixTime() {}

    public static long nowSeconds() {
        return System.currentTimeMillis() / 1000;
    }
}
