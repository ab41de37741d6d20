package io.switchboard.store;

/**
 * One group of a usage report.
 *
 * @param group               the key id, model, provider, or UTC day ({@code 2026-01-31}); null
 *                            for the rows that have none (no key, no provider)
 * @param requests            rows in the group
 * @param tokens              sums of the reported counts; a count a provider did not report adds 0
 *                            (so none of these is null here)
 * @param costMicros          the sum of the known costs, in micro-dollars
 * @param unknownCostRequests rows whose cost is unknown (a model without a price), not in {@code costMicros}
 */
public record UsageTotals(String group, long requests, TokenCounts tokens, long costMicros, long unknownCostRequests) {}
