package io.switchboard.cli;

import io.dropwizard.core.Configuration;
import io.switchboard.store.Database;
import io.switchboard.store.UsageGrouping;
import io.switchboard.store.UsageTotals;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;

/**
 * {@code usage}: the usage ledger summed by key, model, provider or day over a time range, as a
 * table: what {@code GET /api/usage} on the admin port answers.
 */
public final class UsageCommand extends DatabaseCommand {

    public UsageCommand(Class<? extends Configuration> configurationClass) {
        super(
                "usage",
                "Print requests, tokens and cost from the usage ledger, grouped by key, model, provider or day.",
                "java -jar service.jar usage --group-by model --from 2026-12-01",
                configurationClass);
    }

    @Override
    public void configure(Subparser subparser) {
        super.configure(subparser);
        subparser
                .addArgument("--group-by")
                .dest("group")
                .choices("key", "model", "provider", "day")
                .setDefault("key")
                .help("what to sum by (default: key)");
        subparser.addArgument("--from").help("a date (2026-12-01, UTC) or an instant; default: 30 days ago");
        subparser.addArgument("--to").help("a date or an instant, excluded; default: now");
        subparser.addArgument("--key").help("only this key's usage (vk_...)");
    }

    @Override
    protected void run(Database database, Namespace namespace, PrintStream out) {
        Instant to =
                namespace.getString("to") == null ? Instant.now().plusMillis(1) : instant(namespace.getString("to"));
        Instant from = namespace.getString("from") == null
                ? to.minus(Duration.ofDays(30))
                : instant(namespace.getString("from"));
        var by = UsageGrouping.valueOf(namespace.getString("group").toUpperCase(Locale.ROOT));
        List<UsageTotals> rows =
                database.usage().report(by, from.toEpochMilli(), to.toEpochMilli(), namespace.getString("key"));
        out.printf(
                "%-40s %10s %14s %14s %12s %18s %10s%n",
                by.name(), "REQUESTS", "PROMPT", "COMPLETION", "CACHED", "COST_USD", "UNPRICED");
        long requests = 0;
        long cost = 0;
        for (UsageTotals row : rows) {
            out.printf(
                    "%-40s %10d %14d %14d %12d %18s %10d%n",
                    row.group() == null ? "-" : row.group(),
                    row.requests(),
                    row.tokens().prompt(),
                    row.tokens().completion(),
                    row.tokens().cachedRead(),
                    usd(row.costMicros()),
                    row.unknownCostRequests());
            requests += row.requests();
            cost += row.costMicros();
        }
        out.printf("%-40s %10d %14s %14s %12s %18s%n", "TOTAL", requests, "", "", "", usd(cost));
    }

    private static String usd(long micros) {
        return micros / 1_000_000 + "." + String.format("%06d", micros % 1_000_000);
    }

    private static Instant instant(String text) {
        try {
            return text.length() == 10
                    ? LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant()
                    : Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new CommandFailure("'" + text + "' is not a date (2026-12-01) or an instant (2026-12-01T00:00:00Z)");
        }
    }
}
