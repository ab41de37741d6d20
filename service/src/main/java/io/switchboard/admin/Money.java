package io.switchboard.admin;

/** Micro-dollars written as dollars, exactly: {@code 1234567} is {@code "1.234567"}. */
final class Money {

    private Money() {}

    static String usd(long micros) {
        String sign = micros < 0 ? "-" : "";
        long abs = Math.abs(micros);
        String fraction = Long.toString(abs % 1_000_000);
        return sign + abs / 1_000_000 + "." + "0".repeat(6 - fraction.length()) + fraction;
    }
}
