package io.switchboard.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.switchboard.store.VirtualKeyRecord;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A virtual key as the admin API shows it: never its secret or hash, only the first characters of
 * the secret; {@code key} (the whole secret) only in the answer to create and rotate. Money in
 * micro-dollars (exact) and, for people, in dollars.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record KeyView(
        String id,
        String object,
        String name,
        String prefix,
        Map<String, String> tags,
        List<String> models,
        @JsonProperty("budget_micros") Long budgetMicros,
        @JsonProperty("budget_usd") String budgetUsd,
        @JsonProperty("budget_period") String budgetPeriod,
        @JsonProperty("spend_micros") long spendMicros,
        @JsonProperty("spend_usd") String spendUsd,
        @JsonProperty("budget_resets_at") String budgetResetsAt,
        Integer rpm,
        Integer tpm,
        @JsonProperty("expires_at") String expiresAt,
        boolean enabled,
        @JsonProperty("revoked_at") String revokedAt,
        @JsonProperty("created_at") String createdAt,
        @JsonProperty("updated_at") String updatedAt,
        @JsonInclude(JsonInclude.Include.NON_NULL) String key) {

    public static final String OBJECT = "gateway.key";

    /** @param spend what the key spent in its budget's current window, and when that window ends */
    static KeyView of(VirtualKeyRecord record, Spend spend, String secret) {
        var s = record.settings();
        return new KeyView(
                record.id(),
                OBJECT,
                s.name(),
                record.keyPrefix(),
                s.tags(),
                s.models(),
                s.budgetMicros(),
                s.budgetMicros() == null ? null : Money.usd(s.budgetMicros()),
                s.budgetPeriod() == null ? null : s.budgetPeriod().dbValue(),
                spend.micros(),
                Money.usd(spend.micros()),
                spend.resetsAt() == null ? null : spend.resetsAt().toString(),
                s.rpm(),
                s.tpm(),
                instant(s.expiresAt()),
                s.enabled(),
                instant(record.revokedAt()),
                instant(record.createdAt()),
                instant(record.updatedAt()),
                secret);
    }

    private static String instant(Long millis) {
        return millis == null ? null : Instant.ofEpochMilli(millis).toString();
    }

    /** What a key spent in the current window of its budget (all time without a budget). */
    public record Spend(long micros, Instant resetsAt) {}
}
