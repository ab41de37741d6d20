package io.switchboard.store;

/**
 * One group of a usage report grouped by two things (the day and the key, say): both values,
 * and the totals (whose {@code group} is the second value).
 */
public record PairedTotals(String first, String second, UsageTotals totals) {}
