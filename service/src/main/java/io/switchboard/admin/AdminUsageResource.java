package io.switchboard.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.switchboard.api.ApiException;
import io.switchboard.api.ErrorDetail;
import io.switchboard.resources.ApiErrors;
import io.switchboard.store.UsageDao;
import io.switchboard.store.UsageGrouping;
import io.switchboard.store.UsageTotals;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code GET /api/usage} on the admin port: the usage ledger summed by key, model, provider or UTC
 * day (or by day and one of the others, for spend over time), over a time range. What the
 * {@code usage} command prints, and what the page draws.
 */
@Tag(name = "Admin: usage", description = "The usage ledger, on the admin port, under /api")
@Path("/usage")
@Produces(MediaType.APPLICATION_JSON)
public final class AdminUsageResource {

    static final Duration DEFAULT_RANGE = Duration.ofDays(30);

    private final UsageDao usage;
    private final Clock clock;

    public AdminUsageResource(UsageDao usage, Clock clock) {
        this.usage = usage;
        this.clock = clock;
    }

    /** One group's sums; money exact in micro-dollars and, for people, in dollars. */
    @JsonInclude(JsonInclude.Include.NON_ABSENT)
    public record Row(
            @JsonInclude(JsonInclude.Include.ALWAYS) String group,
            String day,
            String key,
            String model,
            String provider,
            long requests,
            @JsonProperty("prompt_tokens") long promptTokens,
            @JsonProperty("completion_tokens") long completionTokens,
            @JsonProperty("cached_read_tokens") long cachedReadTokens,
            @JsonProperty("cache_write_tokens") long cacheWriteTokens,
            @JsonProperty("reasoning_tokens") long reasoningTokens,
            @JsonProperty("cost_micros") long costMicros,
            @JsonProperty("cost_usd") String costUsd,
            @JsonProperty("unknown_cost_requests") long unknownCostRequests) {}

    /** The report: what it is grouped by, its range, and its rows. */
    public record Report(
            String object, @JsonProperty("group_by") String groupBy, String from, String to, List<Row> data) {}

    @GET
    @Operation(
            operationId = "adminUsage",
            summary = "Usage and spend, grouped",
            description = "Sums of the ledger's rows in [from, to): requests, tokens, cost (known costs only;"
                    + " `unknown_cost_requests` counts the rest). `group_by` is `key`, `model`, `provider` or `day`,"
                    + " or `day,key` / `day,model` / `day,provider` for spend over time.")
    @ApiResponse(responseCode = "200", description = "The report")
    @ApiErrors({400})
    public Report report(
            @Parameter(description = "key, model, provider, day, or day,<one of the others>") @QueryParam("group_by")
                    String groupBy,
            @Parameter(description = "a date (2026-12-01, midnight UTC) or an instant; default: 30 days ago")
                    @QueryParam("from")
                    String from,
            @Parameter(description = "a date or an instant, excluded; default: now") @QueryParam("to") String to,
            @Parameter(description = "only this key's rows") @QueryParam("key") String key) {
        Instant end = to == null ? clock.instant().plusMillis(1) : instant(to, "to");
        Instant start = from == null ? end.minus(DEFAULT_RANGE) : instant(from, "from");
        if (!start.isBefore(end)) {
            throw bad("from must be before to", "from");
        }
        String spec = groupBy == null ? "key" : groupBy.strip().toLowerCase(Locale.ROOT);
        String[] parts = spec.split(",", -1);
        var rows = new ArrayList<Row>();
        if (parts.length == 1) {
            UsageGrouping by = grouping(parts[0]);
            for (UsageTotals totals : usage.report(by, start.toEpochMilli(), end.toEpochMilli(), key)) {
                rows.add(row(totals, by, totals.group(), null));
            }
        } else if (parts.length == 2 && parts[0].strip().equals("day")) {
            UsageGrouping then = grouping(parts[1].strip());
            if (then == UsageGrouping.DAY) {
                throw bad("group_by: day twice", "group_by");
            }
            for (var paired : usage.report(UsageGrouping.DAY, then, start.toEpochMilli(), end.toEpochMilli(), key)) {
                rows.add(row(paired.totals(), then, paired.second(), paired.first()));
            }
        } else {
            throw bad("group_by: one of key, model, provider, day, or day,key / day,model / day,provider", "group_by");
        }
        return new Report("list", spec, start.toString(), end.toString(), rows);
    }

    private static Row row(UsageTotals totals, UsageGrouping by, String value, String day) {
        var tokens = totals.tokens();
        return new Row(
                value,
                by == UsageGrouping.DAY ? value : day,
                by == UsageGrouping.KEY ? value : null,
                by == UsageGrouping.MODEL ? value : null,
                by == UsageGrouping.PROVIDER ? value : null,
                totals.requests(),
                tokens.prompt(),
                tokens.completion(),
                tokens.cachedRead(),
                tokens.cacheWrite(),
                tokens.reasoning(),
                totals.costMicros(),
                Money.usd(totals.costMicros()),
                totals.unknownCostRequests());
    }

    static UsageGrouping grouping(String name) {
        return switch (name.strip()) {
            case "key" -> UsageGrouping.KEY;
            case "model" -> UsageGrouping.MODEL;
            case "provider" -> UsageGrouping.PROVIDER;
            case "day" -> UsageGrouping.DAY;
            default ->
                throw bad(
                        "group_by: one of key, model, provider, day, or day,key / day,model / day,provider",
                        "group_by");
        };
    }

    /** A date (midnight UTC) or an instant. */
    static Instant instant(String text, String param) {
        try {
            return text.length() == 10
                    ? LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant()
                    : Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw bad(param + ": a date (2026-12-01) or an instant (2026-12-01T00:00:00Z)", param);
        }
    }

    private static ApiException bad(String message, String param) {
        return new ApiException(400, ErrorDetail.invalidRequest(message, param, "invalid_value"));
    }
}
