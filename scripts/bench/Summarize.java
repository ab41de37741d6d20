import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;

/**
 * Turns run.sh's raw.tsv into summary.md (the tables docs/performance.md quotes) and plot.dat
 * (for plot.gp). Each figure is the median over the repeats, with the smallest and largest
 * value beside it; an "added" figure is taken per repeat (gateway minus direct, measured one
 * after the other) before the median.
 *
 * <p>Usage: {@code java Summarize.java RAW_TSV OUT_DIR > summary.md}
 */
public final class Summarize {

    /** One line of raw.tsv. */
    private record Row(int repeat, String target, String test, int concurrency, Map<String, String> values) {

        /** A raw figure; NaN (n/a) when absent or below 0 (SseLoad writes -1 for a percentile of no samples). */
        double num(String key) {
            String value = values.get(key);
            if (value == null) {
                return Double.NaN;
            }
            double number = Double.parseDouble(value.replace("%", ""));
            return number < 0 ? Double.NaN : number;
        }
    }

    private final List<Row> rows = new ArrayList<>();

    public static void main(String[] args) throws IOException {
        var summary = new Summarize();
        for (String line : Files.readAllLines(Path.of(args[0]))) {
            String[] cells = line.split("\t");
            if (cells.length < 5 || cells[0].equals("repeat")) {
                continue;
            }
            var values = new LinkedHashMap<String, String>();
            for (String pair : cells[4].trim().split(" +")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    values.put(pair.substring(0, eq), pair.substring(eq + 1));
                }
            }
            summary.rows.add(new Row(Integer.parseInt(cells[0]), cells[1], cells[2], Integer.parseInt(cells[3]), values));
        }
        summary.print(Path.of(args[1]));
    }

    private List<Row> select(String target, String test, int concurrency) {
        return rows.stream().filter(r -> r.target.equals(target) && r.test.equals(test)
                && (concurrency < 0 || r.concurrency == concurrency)).toList();
    }

    /** Median, min and max of a figure over the repeats. */
    private record Stat(double median, double min, double max, int n) {

        static Stat of(Collection<Double> values) {
            var sorted = values.stream().filter(v -> !v.isNaN()).sorted().toList();
            if (sorted.isEmpty()) {
                return new Stat(Double.NaN, Double.NaN, Double.NaN, 0);
            }
            int n = sorted.size();
            double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
            return new Stat(median, sorted.get(0), sorted.get(n - 1), n);
        }

        String format(double scale, String pattern) {
            if (n == 0) {
                return "n/a";
            }
            String median = String.format(Locale.ROOT, pattern, this.median * scale);
            if (n == 1) {
                return median;
            }
            return median + " (" + String.format(Locale.ROOT, pattern, min * scale) + " – "
                    + String.format(Locale.ROOT, pattern, max * scale) + ")";
        }
    }

    private Stat stat(String target, String test, int concurrency, ToDoubleFunction<Row> figure) {
        return Stat.of(select(target, test, concurrency).stream().map(figure::applyAsDouble).toList());
    }

    /** Gateway minus direct, per repeat, for the same test and concurrency. */
    private Stat added(String test, int concurrency, String key) {
        Map<Integer, Double> direct = new HashMap<>();
        for (Row row : select("direct", test, concurrency)) {
            direct.put(row.repeat, row.num(key));
        }
        var added = new ArrayList<Double>();
        for (Row row : select("gateway", test, concurrency)) {
            Double base = direct.get(row.repeat);
            if (base != null) {
                added.add(row.num(key) - base);
            }
        }
        return Stat.of(added);
    }

    private void print(Path out) throws IOException {
        var levels = new TreeSet<Integer>();
        rows.stream().filter(r -> r.test.equals("json")).forEach(r -> levels.add(r.concurrency));
        int repeats = rows.stream().mapToInt(Row::repeat).max().orElse(0);
        var md = new StringBuilder();
        md.append("Medians of ").append(repeats).append(" repeats, (min – max) beside them. Latencies in ms.\n\n");

        md.append("## Budget\n\n| figure | budget | measured | met |\n|---|---|---|---|\n");
        budget(md, "added latency, c=1, p50 (ms)", "≤ 0.3", added("json", 1, "p50"), 1e-3, "%.3f", v -> v <= 300);
        budget(md, "added latency, c=1, p99 (ms)", "≤ 1", added("json", 1, "p99"), 1e-3, "%.3f", v -> v <= 1000);
        budget(md, "requests/s through the gateway, c=64", "≥ 10,000", stat("gateway", "json", 64, r -> r.num("rps")),
                1, "%.0f", v -> v >= 10_000);
        budget(md, "TTFT (first event with text) added, c=64, 50 ms upstream, p50 (ms)", "≤ 1",
                added("sse-latency", 64, "token_p50"), 1e-3, "%.3f", v -> v <= 1000);
        budget(md, "TTFT (first event with text) added, c=64, 50 ms upstream, p99 (ms)", "≤ 3",
                added("sse-latency", 64, "token_p99"), 1e-3, "%.3f", v -> v <= 3000);
        var hold = select("gateway", "hold", -1);
        if (!hold.isEmpty()) {
            Row h = hold.get(0);
            md.append("| ").append(h.concurrency).append(" open streams: peak open / errors | 5,000 / 0 | ")
                    .append(h.values.get("peak_open")).append(" / ").append(h.values.get("errors"))
                    .append(h.values.getOrDefault("error_kinds", "-").equals("-") ? "" : " (" + h.values.get("error_kinds") + ")")
                    .append(" | ").append(h.num("peak_open") >= 5000 && h.num("errors") == 0 ? "yes" : "**no**")
                    .append(" |\n");
        }
        var rssUnderLoad = new ArrayList<Double>();
        for (int repeat = 1; repeat <= repeats; repeat++) {
            int r = repeat;
            rssUnderLoad.add(rows.stream().filter(row -> row.repeat == r && row.target.equals("gateway")
                            && !row.test.equals("hold") && !row.test.startsWith("startup-"))
                    .mapToDouble(row -> Math.max(nz(row.num("rss_max_kb")), nz(row.num("hwm_kb")))).max().orElse(Double.NaN));
        }
        budget(md, "RSS under load, JSON and 64 streams (MB)", "≤ 256", Stat.of(rssUnderLoad), 1 / 1024.0, "%.0f",
                v -> v <= 256 * 1024);
        if (!hold.isEmpty()) {
            budget(md, "RSS with the held streams open (MB)", "≤ 256", Stat.of(List.of(hold.get(0).num("rss_max_kb"))),
                    1 / 1024.0, "%.0f", v -> v <= 256 * 1024);
        }
        budget(md, "start to ready (ms)", "≤ 2000", stat("gateway", "startup", 0, r -> r.num("ready_ms")), 1, "%.0f",
                v -> v <= 2000);
        budget(md, "start to ready with AppCDS (ms)", "≤ 2000", stat("gateway", "startup-cds", 0,
                r -> r.num("ready_ms")), 1, "%.0f", v -> v <= 2000);

        md.append("\n## Non-streamed chat completions (wrk, fast upstream)\n\n")
                .append("| c | direct req/s | gateway req/s | direct p50 | gateway p50 | added p50 | direct p99 | gateway p99 | added p99 | gateway CPU µs/req | machine busy before |\n")
                .append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        var plot = new StringBuilder("# c direct_p50 direct_p99 gateway_p50 gateway_p99 direct_rps gateway_rps (ms, req/s)\n");
        for (int c : levels) {
            md.append("| ").append(c)
                    .append(" | ").append(stat("direct", "json", c, r -> r.num("rps")).format(1, "%.0f"))
                    .append(" | ").append(stat("gateway", "json", c, r -> r.num("rps")).format(1, "%.0f"))
                    .append(" | ").append(stat("direct", "json", c, r -> r.num("p50")).format(1e-3, "%.3f"))
                    .append(" | ").append(stat("gateway", "json", c, r -> r.num("p50")).format(1e-3, "%.3f"))
                    .append(" | ").append(added("json", c, "p50").format(1e-3, "%.3f"))
                    .append(" | ").append(stat("direct", "json", c, r -> r.num("p99")).format(1e-3, "%.3f"))
                    .append(" | ").append(stat("gateway", "json", c, r -> r.num("p99")).format(1e-3, "%.3f"))
                    .append(" | ").append(added("json", c, "p99").format(1e-3, "%.3f"))
                    .append(" | ").append(stat("gateway", "json", c, r -> r.num("gw_cpu_us_per_req")).format(1, "%.0f"))
                    .append(" | ").append(stat("gateway", "json", c, r -> r.num("bg_busy")).format(1, "%.0f%%"))
                    .append(" |\n");
            plot.append(String.format(Locale.ROOT, "%d %.4f %.4f %.4f %.4f %.0f %.0f%n", c,
                    stat("direct", "json", c, r -> r.num("p50")).median / 1e3,
                    stat("direct", "json", c, r -> r.num("p99")).median / 1e3,
                    stat("gateway", "json", c, r -> r.num("p50")).median / 1e3,
                    stat("gateway", "json", c, r -> r.num("p99")).median / 1e3,
                    stat("direct", "json", c, r -> r.num("rps")).median,
                    stat("gateway", "json", c, r -> r.num("rps")).median));
        }
        Files.writeString(out.resolve("plot.dat"), plot);

        md.append("\n## Streamed chat completions, c=64 (SseLoad)\n\n")
                .append("| upstream | figure | direct | gateway | added |\n|---|---|---|---|---|\n");
        stream(md, "sse-fast", "streams/s", "sps", 1, "%.0f", false);
        stream(md, "sse-fast", "whole stream p50 (ms)", "total_p50", 1e-3, "%.3f", true);
        stream(md, "sse-fast", "whole stream p99 (ms)", "total_p99", 1e-3, "%.3f", true);
        md.append("| fast | gateway CPU µs/stream (8 chunks) | | ")
                .append(stat("gateway", "sse-fast", 64, r -> r.num("gw_cpu_us_per_stream")).format(1, "%.0f")).append(" | |\n");
        stream(md, "sse-latency", "streams/s", "sps", 1, "%.0f", false);
        stream(md, "sse-latency", "TTFT p50 (ms): first event with text", "token_p50", 1e-3, "%.3f", true);
        stream(md, "sse-latency", "TTFT p90 (ms)", "token_p90", 1e-3, "%.3f", true);
        stream(md, "sse-latency", "TTFT p99 (ms)", "token_p99", 1e-3, "%.3f", true);
        // The gateway holds a role-only opening chunk back until the first text (its commit
        // point), so to the first event it adds the upstream's gap before the first text.
        stream(md, "sse-latency", "first event p50 (ms): a role-only chunk counts", "ttft_p50", 1e-3, "%.3f", true);
        stream(md, "sse-latency", "first event p90 (ms)", "ttft_p90", 1e-3, "%.3f", true);
        stream(md, "sse-latency", "first event p99 (ms)", "ttft_p99", 1e-3, "%.3f", true);
        stream(md, "sse-latency", "chunk gap p50 (ms)", "gap_p50", 1e-3, "%.3f", true);
        stream(md, "sse-latency", "chunk gap p99 (ms)", "gap_p99", 1e-3, "%.3f", true);
        stream(md, "sse-latency", "errors", "errors", 1, "%.0f", false);
        md.append("| latency | gateway CPU µs/stream (8 chunks) | | ")
                .append(stat("gateway", "sse-latency", 64, r -> r.num("gw_cpu_us_per_stream")).format(1, "%.0f")).append(" | |\n");

        md.append("\n## Memory, threads, startup (gateway)\n\n| figure | value |\n|---|---|\n")
                .append("| start to ready (ms) | ").append(stat("gateway", "startup", 0, r -> r.num("ready_ms")).format(1, "%.0f")).append(" |\n")
                .append("| start to ready with AppCDS (ms) | ").append(stat("gateway", "startup-cds", 0, r -> r.num("ready_ms")).format(1, "%.0f")).append(" |\n")
                .append("| RSS at ready (MB) | ").append(stat("gateway", "startup", 0, r -> r.num("rss_kb")).format(1 / 1024.0, "%.0f")).append(" |\n")
                .append("| RSS idle after warm-up (MB) | ").append(stat("gateway", "idle", 0, r -> r.num("rss_kb")).format(1 / 1024.0, "%.0f")).append(" |\n")
                .append("| RSS peak (VmHWM) over a repeat (MB) | ").append(stat("gateway", "peak", 0, r -> r.num("hwm_kb")).format(1 / 1024.0, "%.0f")).append(" |\n")
                .append("| threads idle after warm-up | ").append(stat("gateway", "idle", 0, r -> r.num("threads")).format(1, "%.0f")).append(" |\n")
                .append("| threads max, JSON c=64 | ").append(stat("gateway", "json", 64, r -> r.num("threads_max")).format(1, "%.0f")).append(" |\n");
        if (!hold.isEmpty()) {
            Row h = hold.get(0);
            md.append("| held streams: peak open at once | ").append(h.values.get("peak_open")).append(" |\n")
                    .append("| held streams: completed / errors | ").append(h.values.get("streams")).append(" / ")
                    .append(h.values.get("errors")).append(" ").append(h.values.getOrDefault("error_kinds", "")).append(" |\n")
                    .append("| held streams: gateway threads max | ").append(h.values.get("threads_max")).append(" |\n")
                    .append("| held streams: gateway RSS max (MB) | ").append(String.format(Locale.ROOT, "%.0f", h.num("rss_max_kb") / 1024)).append(" |\n")
                    .append("| held streams: TTFT (first event with text) p50 / p99 (ms) | ").append(String.format(Locale.ROOT, "%.1f / %.1f", h.num("token_p50") / 1e3, h.num("token_p99") / 1e3)).append(" |\n")
                    .append("| held streams: first event p50 / p99 (ms) | ").append(String.format(Locale.ROOT, "%.1f / %.1f", h.num("ttft_p50") / 1e3, h.num("ttft_p99") / 1e3)).append(" |\n")
                    .append("| held streams: machine busy before | ").append(h.values.get("bg_busy")).append(" |\n");
        }
        System.out.print(md);
    }

    private static double nz(double value) {
        return Double.isNaN(value) ? 0 : value;
    }

    private void stream(StringBuilder md, String test, String label, String key, double scale, String pattern,
                        boolean withAdded) {
        md.append("| ").append(test.equals("sse-fast") ? "fast" : "latency").append(" | ").append(label)
                .append(" | ").append(stat("direct", test, 64, r -> r.num(key)).format(scale, pattern))
                .append(" | ").append(stat("gateway", test, 64, r -> r.num(key)).format(scale, pattern))
                .append(" | ").append(withAdded ? added(test, 64, key).format(scale, pattern) : "")
                .append(" |\n");
    }

    private static void budget(StringBuilder md, String figure, String budget, Stat stat, double scale, String pattern,
                               java.util.function.DoublePredicate met) {
        md.append("| ").append(figure).append(" | ").append(budget).append(" | ").append(stat.format(scale, pattern))
                .append(" | ").append(stat.n == 0 ? "n/a" : met.test(stat.median) ? "yes" : "**no**").append(" |\n");
    }
}
