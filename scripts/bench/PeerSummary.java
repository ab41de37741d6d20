import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * peer.sh's raw.tsv to summary.md: each scenario's figures for the direct path, Portkey and
 * Switchboard, as the median (min – max) over the repeats; ratios and "added" figures are taken
 * per repeat (the targets of one repeat ran one after the other) and then summarised the same way.
 *
 * <p>{@code java PeerSummary.java results/peer-<time>/raw.tsv > summary.md}
 */
public final class PeerSummary {

    private static final List<String> TARGETS = List.of("direct", "portkey", "switchboard");

    /** One line of raw.tsv. */
    private record Row(int repeat, String scenario, String target, Map<String, String> values) {

        /**
         * A raw figure; NaN (shown as missing) when it is absent, not a number, or below 0 (SseLoad
         * writes -1 for a percentile of no samples).
         */
        double num(String key) {
            String value = values.get(key);
            if (value == null || value.isEmpty()) {
                return Double.NaN;
            }
            try {
                double number = Double.parseDouble(value.replace("%", ""));
                return number < 0 ? Double.NaN : number;
            } catch (NumberFormatException e) {
                return Double.NaN;
            }
        }
    }

    /** A figure over the repeats: repeat number to value. */
    private static final class Series extends TreeMap<Integer, Double> {

        Series combine(Series other, java.util.function.DoubleBinaryOperator op) {
            var out = new Series();
            forEach((repeat, value) -> {
                Double that = other.get(repeat);
                if (that != null && !value.isNaN() && !that.isNaN()) {
                    out.put(repeat, op.applyAsDouble(value, that));
                }
            });
            return out;
        }

        /** Median (min – max) of the repeats, scaled (by a positive factor); "—" when there is none. */
        String format(double scale, String pattern) {
            List<Double> sorted = sorted();
            if (sorted.isEmpty()) {
                return "—";
            }
            int n = sorted.size();
            String text = String.format(Locale.ROOT, pattern, median() * scale);
            return n == 1
                    ? text
                    : text + " (" + String.format(Locale.ROOT, pattern, sorted.get(0) * scale) + " – "
                            + String.format(Locale.ROOT, pattern, sorted.get(n - 1) * scale) + ")";
        }

        double median() {
            List<Double> sorted = sorted();
            int n = sorted.size();
            return n == 0 ? Double.NaN : n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        }

        /** The values that are numbers, smallest first. */
        private List<Double> sorted() {
            return values().stream().filter(v -> !v.isNaN()).sorted().toList();
        }
    }

    /** A row of a scenario's table: how to read it from a raw line, its unit and its format. */
    private record Metric(String name, ToDoubleFunction<Row> value, double scale, String pattern, boolean ratio) {}

    private final List<Row> rows = new ArrayList<>();
    private final StringBuilder md = new StringBuilder();

    private PeerSummary(Path raw) throws IOException {
        for (String line : Files.readAllLines(raw)) {
            String[] cells = line.split("\t");
            if (cells.length < 5 || cells[0].equals("repeat")) {
                continue;
            }
            var values = new TreeMap<String, String>();
            for (String pair : cells[4].trim().split(" +")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    values.put(pair.substring(0, eq), pair.substring(eq + 1));
                }
            }
            rows.add(new Row(Integer.parseInt(cells[0]), cells[1], cells[2], values));
        }
    }

    public static void main(String[] args) throws IOException {
        var summary = new PeerSummary(Path.of(args[0]));
        summary.write();
        System.out.print(summary.md);
    }

    private Series series(String scenario, String target, ToDoubleFunction<Row> value) {
        var out = new Series();
        for (Row row : rows) {
            if (row.scenario.equals(scenario) && row.target.equals(target)) {
                out.put(row.repeat, value.applyAsDouble(row));
            }
        }
        return out;
    }

    private Series series(String scenario, String target, String key) {
        return series(scenario, target, r -> r.num(key));
    }

    private boolean has(String scenario) {
        return rows.stream().anyMatch(r -> r.scenario.equals(scenario));
    }

    private static double cpu(Row r) {
        return r.num("cpu_user_us") + r.num("cpu_sys_us");
    }

    private static double wrkErrors(Row r) {
        return r.num("errors_connect") + r.num("errors_read") + r.num("errors_write") + r.num("errors_status")
                + r.num("errors_timeout");
    }

    /**
     * CPU per chunk relayed: (CPU per 65-chunk stream − CPU per 1-chunk stream) divided by the
     * difference in data events the client received, as measured: 64 on every path (1 and 65 on
     * the OpenAI path; 3 and 67 when translated, the 1 or 65 text deltas between a role and a
     * finish chunk).
     */
    private Series perChunk(String target, ToDoubleFunction<Row> cpu) {
        Series events = series("chunk65", target, "events_per_stream")
                .combine(series("chunk1", target, "events_per_stream"), (a, b) -> a - b);
        return series("chunk65", target, cpu)
                .combine(series("chunk1", target, cpu), (a, b) -> a - b)
                .combine(events, (a, b) -> a / b);
    }

    private Series added(String scenario, String target, String key) {
        return series(scenario, target, key).combine(series(scenario, "direct", key), (a, b) -> a - b);
    }

    private Series ratio(String scenario, String key) {
        return ratio(scenario, r -> r.num(key));
    }

    /** Switchboard's figure ÷ Portkey's, per repeat. */
    private Series ratio(String scenario, ToDoubleFunction<Row> value) {
        return series(scenario, "switchboard", value).combine(series(scenario, "portkey", value), (a, b) -> a / b);
    }

    /** A setting of the run as its meta line in raw.tsv has it, or OTHERWISE without one. */
    private String meta(String key, String otherwise) {
        return rows.stream().filter(r -> r.scenario.equals("meta")).map(r -> r.values.get(key))
                .filter(v -> v != null && !v.isEmpty()).findFirst().orElse(otherwise);
    }

    private void write() {
        md.append("# Switchboard, Portkey and the direct path, side by side\n\n");
        rows.stream().filter(r -> r.scenario.equals("meta")).findFirst().ifPresent(r -> md.append("Run: ")
                .append(String.join(", ", r.values.entrySet().stream()
                        .map(e -> e.getKey() + " `" + e.getValue().replace('_', ' ') + "`").toList()))
                .append(".\n\n"));
        md.append("Every cell is the median (min – max) over the repeats; ratios and \"added\" figures are taken per"
                + " repeat (targets run one after the other within a repeat) and summarised the same way."
                + " Latencies in ms, CPU in µs of the gateway process (utime + stime).\n\n");
        goals();
        table("JSON chat, c=64, fast upstream (wrk)", "json64", List.of(
                new Metric("requests/s", r -> r.num("rps"), 1, "%,.0f", true),
                new Metric("p50 (ms)", r -> r.num("p50"), 1e-3, "%.3f", false),
                new Metric("p99 (ms)", r -> r.num("p99"), 1e-3, "%.3f", false),
                new Metric("errors", PeerSummary::wrkErrors, 1, "%.0f", false),
                new Metric("CPU per request, user + sys (µs)", PeerSummary::cpu, 1, "%.0f", false),
                new Metric("CPU per request, sys (µs)", r -> r.num("cpu_sys_us"), 1, "%.0f", false),
                new Metric("VmRSS after the point (MB)", r -> r.num("rss_kb"), 1 / 1024.0, "%.0f", false),
                new Metric("VmHWM over the point (MB)", r -> r.num("hwm_kb"), 1 / 1024.0, "%.0f", false),
                new Metric("threads, max", r -> r.num("threads_max"), 1, "%.0f", false),
                new Metric("JIT compile time during the point (s)", r -> r.num("jit_s"), 1, "%.2f", false),
                new Metric("machine busy before (%)", r -> r.num("bg_busy"), 1, "%.0f", false)));
        table("JSON chat, c=1, fast upstream (wrk)", "json1", List.of(
                new Metric("requests/s", r -> r.num("rps"), 1, "%,.0f", true),
                new Metric("p50 (ms)", r -> r.num("p50"), 1e-3, "%.3f", false),
                new Metric("p99 (ms)", r -> r.num("p99"), 1e-3, "%.3f", false),
                new Metric("errors", PeerSummary::wrkErrors, 1, "%.0f", false),
                new Metric("CPU per request, user + sys (µs)", PeerSummary::cpu, 1, "%.0f", false),
                new Metric("machine busy before (%)", r -> r.num("bg_busy"), 1, "%.0f", false)),
                List.of("p50", "p99"), "");
        table("Streams of 10 chunks sent at once, c=64 (SseLoad)", "stream10", List.of(
                new Metric("streams/s", r -> r.num("sps"), 1, "%,.0f", true),
                new Metric("data events per stream", r -> r.num("events_per_stream"), 1, "%.1f", false),
                new Metric("whole stream p50 (ms)", r -> r.num("total_p50"), 1e-3, "%.3f", false),
                new Metric("whole stream p99 (ms)", r -> r.num("total_p99"), 1e-3, "%.3f", false),
                new Metric("errors", r -> r.num("errors"), 1, "%.0f", false),
                new Metric("CPU per stream, user + sys (µs)", PeerSummary::cpu, 1, "%.0f", false),
                new Metric("VmRSS after the point (MB)", r -> r.num("rss_kb"), 1 / 1024.0, "%.0f", false),
                new Metric("VmHWM over the point (MB)", r -> r.num("hwm_kb"), 1 / 1024.0, "%.0f", false),
                new Metric("threads, max", r -> r.num("threads_max"), 1, "%.0f", false),
                new Metric("machine busy before (%)", r -> r.num("bg_busy"), 1, "%.0f", false)));
        table("Time to first token, c=64, 50 ms upstream, chunks 20 ms apart (SseLoad)", "ttft", List.of(
                new Metric("first token p50 (ms): first event with text", r -> r.num("token_p50"), 1e-3, "%.3f", false),
                new Metric("first token p99 (ms)", r -> r.num("token_p99"), 1e-3, "%.3f", false),
                new Metric("first event p50 (ms): a role-only chunk counts", r -> r.num("ttft_p50"), 1e-3, "%.3f", false),
                new Metric("first event p99 (ms)", r -> r.num("ttft_p99"), 1e-3, "%.3f", false),
                new Metric("gap between chunks p50 (ms)", r -> r.num("gap_p50"), 1e-3, "%.3f", false),
                new Metric("gap between chunks p99 (ms)", r -> r.num("gap_p99"), 1e-3, "%.3f", false),
                new Metric("streams/s", r -> r.num("sps"), 1, "%,.0f", true),
                new Metric("errors", r -> r.num("errors"), 1, "%.0f", false),
                new Metric("CPU per stream, user + sys (µs)", PeerSummary::cpu, 1, "%.0f", false),
                new Metric("machine busy before (%)", r -> r.num("bg_busy"), 1, "%.0f", false)),
                List.of("token_p50", "token_p99", "ttft_p50", "ttft_p99"), "");
        chunkTable();
        table("Live streams: all open at once, a chunk every " + meta("live_gap_s", "LIVE_GAP") + " s each (SseLoad hold mode)",
                "live", List.of(
                new Metric("streams open at once, peak", r -> r.num("peak_open"), 1, "%.0f", false),
                new Metric("streams completed", r -> r.num("streams"), 1, "%.0f", false),
                new Metric("errors", r -> r.num("errors"), 1, "%.0f", false),
                new Metric("gap between chunks p50 (ms)", r -> r.num("gap_p50"), 1e-3, "%.3f", false),
                new Metric("gap between chunks p90 (ms)", r -> r.num("gap_p90"), 1e-3, "%.3f", false),
                new Metric("gap between chunks p99 (ms)", r -> r.num("gap_p99"), 1e-3, "%.3f", false),
                new Metric("gap between chunks p99.9 (ms)", r -> r.num("gap_p999"), 1e-3, "%.3f", false),
                new Metric("gap between chunks max (ms)", r -> r.num("gap_max"), 1e-3, "%.3f", false),
                new Metric("CPU per stream, user + sys (µs)", PeerSummary::cpu, 1, "%.0f", false),
                new Metric("RSS max, sampled every 0.5 s (MB)", r -> r.num("rss_max_kb"), 1 / 1024.0, "%.0f", false),
                new Metric("VmHWM over the point (MB)", r -> r.num("hwm_kb"), 1 / 1024.0, "%.0f", false),
                new Metric("threads, max", r -> r.num("threads_max"), 1, "%.0f", false),
                new Metric("machine busy before (%)", r -> r.num("bg_busy"), 1, "%.0f", false)),
                List.of("gap_p50", "gap_p99"), "chunk ");
        rows.stream().filter(r -> r.scenario.equals("live") && !"-".equals(r.values.get("error_kinds")))
                .forEach(r -> md.append("Live errors, repeat ").append(r.repeat).append(", ").append(r.target)
                        .append(": ").append(r.values.get("error_kinds")).append("\n\n"));
        memory();
    }

    private void goals() {
        md.append("## Against the goals (issue 16)\n\n| figure | goal | measured | met |\n|---|---|---|---|\n");
        goal("JSON c=64 req/s, Switchboard ÷ Portkey", "≥ 10×", ratio("json64", "rps"), 1, "%.1f×", v -> v >= 10);
        goal("JSON c=1, added p50 (ms)", "≤ 0.3", added("json1", "switchboard", "p50"), 1e-3, "%.3f", v -> v <= 300);
        goal("JSON c=1, added p99 (ms)", "≤ 1", added("json1", "switchboard", "p99"), 1e-3, "%.3f", v -> v <= 1000);
        goal("10-chunk streams c=64, streams/s, Switchboard ÷ Portkey", "≥ 5×", ratio("stream10", "sps"), 1,
                "%.1f×", v -> v >= 5);
        goal("TTFT (first event with text) added p99, c=64 (ms)", "≤ 3", added("ttft", "switchboard", "token_p99"), 1e-3, "%.3f",
                v -> v <= 3000);
        goal("relay CPU per chunk, user + sys (µs)", "≤ 25", perChunk("switchboard", PeerSummary::cpu), 1, "%.1f",
                v -> v <= 25);
        goal("live streams, added chunk-gap p99 (ms)", "≤ 10", added("live", "switchboard", "gap_p99"), 1e-3, "%.3f",
                v -> v <= 10_000);
        goal("live streams, errors", "0", series("live", "switchboard", "errors"), 1, "%.0f", v -> v == 0);
        goal("VmHWM over JSON c=64 (MB)", "≤ 256", series("json64", "switchboard", "hwm_kb"), 1 / 1024.0, "%.0f",
                v -> v <= 256 * 1024);
        goal("VmHWM over streams c=64 (MB)", "≤ 256", series("stream10", "switchboard", "hwm_kb"), 1 / 1024.0,
                "%.0f", v -> v <= 256 * 1024);
        md.append('\n');
    }

    private void goal(String figure, String goal, Series measured, double scale, String pattern,
            java.util.function.DoublePredicate met) {
        if (measured.isEmpty()) {
            return;
        }
        double median = measured.median();
        md.append("| ").append(figure).append(" | ").append(goal).append(" | ").append(measured.format(scale, pattern))
                .append(" | ").append(Double.isNaN(median) ? "—" : met.test(median) ? "yes" : "**no**").append(" |\n");
    }

    private void table(String title, String scenario, List<Metric> metrics) {
        table(title, scenario, metrics, List.of(), "");
    }

    /** A scenario's table; then, for each of addedKeys, a row of Portkey's and Switchboard's figure minus direct's. */
    private void table(String title, String scenario, List<Metric> metrics, List<String> addedKeys, String prefix) {
        if (!has(scenario)) {
            return;
        }
        md.append("## ").append(title).append("\n\n| | direct | Portkey | Switchboard | Switchboard ÷ Portkey |\n")
                .append("|---|---|---|---|---|\n");
        for (Metric metric : metrics) {
            md.append("| ").append(metric.name);
            for (String target : TARGETS) {
                md.append(" | ").append(series(scenario, target, metric.value).format(metric.scale, metric.pattern));
            }
            md.append(" | ").append(metric.ratio ? ratio(scenario, metric.value).format(1, "%.1f×") : "").append(" |\n");
        }
        for (String key : addedKeys) {
            md.append("| ")
                    .append(prefix)
                    .append(key.replace("token_", "first token ")
                            .replace("ttft_", "first event ")
                            .replace("gap_", ""))
                    .append(" added over direct (ms) | — | ")
                    .append(added(scenario, "portkey", key).format(1e-3, "%.3f")).append(" | ")
                    .append(added(scenario, "switchboard", key).format(1e-3, "%.3f")).append(" | |\n");
        }
        md.append('\n');
    }

    private void chunkTable() {
        if (!has("chunk1") && !has("chunk65")) {
            return;
        }
        List<String> targets = CHUNK_TARGETS.stream().filter(t -> !series("chunk1", t, "sps").isEmpty()).toList();
        md.append("## Relay CPU per chunk: streams of 1 and of 65 chunks sent at once, c=64\n\n")
                .append("Per chunk = (CPU per 65-chunk stream − CPU per 1-chunk stream) / (difference in data events"
                        + " per stream), per repeat. Switchboard's Anthropic and Gemini columns are its translation"
                        + " paths (an Anthropic Messages or Gemini streamGenerateContent upstream, relayed as OpenAI"
                        + " chunks).\n\n")
                .append("|");
        targets.forEach(t -> md.append(" | ").append(CHUNK_TARGET_NAMES.get(t)));
        md.append(" |\n|---");
        targets.forEach(t -> md.append("|---"));
        md.append("|\n");
        chunkRow(targets, "streams/s, 1 chunk / 65 chunks", t -> both("chunk1", "chunk65", t, "sps", "%,.0f"));
        chunkRow(targets, "CPU per 1-chunk stream, user / sys (µs)", t -> userSys("chunk1", t));
        chunkRow(targets, "CPU per 65-chunk stream, user / sys (µs)", t -> userSys("chunk65", t));
        chunkRow(targets, "errors, 1 / 65 chunks", t -> both("chunk1", "chunk65", t, "errors", "%.0f"));
        chunkRow(
                targets,
                "data events per stream, 1 / 65 chunks",
                t -> both("chunk1", "chunk65", t, "events_per_stream", "%.1f"));
        chunkRow(targets, "**CPU per chunk, user + sys (µs)**", t -> "**"
                + perChunk(t, PeerSummary::cpu).format(1, "%.1f") + "**");
        chunkRow(targets, "CPU per chunk, user / sys (µs)", t -> perChunk(t, r -> r.num("cpu_user_us"))
                        .format(1, "%.1f")
                + " / " + perChunk(t, r -> r.num("cpu_sys_us")).format(1, "%.1f"));
        md.append("\n");
    }

    private static final List<String> CHUNK_TARGETS =
            List.of("portkey", "switchboard", "switchboard-anthropic", "switchboard-gemini");
    private static final Map<String, String> CHUNK_TARGET_NAMES = Map.of(
            "portkey", "Portkey",
            "switchboard", "Switchboard",
            "switchboard-anthropic", "Switchboard, Anthropic upstream",
            "switchboard-gemini", "Switchboard, Gemini upstream");

    private void chunkRow(List<String> targets, String name, java.util.function.Function<String, String> cell) {
        md.append("| ").append(name);
        for (String target : targets) {
            md.append(" | ").append(cell.apply(target));
        }
        md.append(" |\n");
    }

    /** "a / b": one target's figure KEY in the 1-chunk and in the 65-chunk scenario. */
    private String both(String scenarioA, String scenarioB, String target, String key, String pattern) {
        return series(scenarioA, target, key).format(1, pattern) + " / " + series(scenarioB, target, key).format(1, pattern);
    }

    /** "user / sys": one target's CPU per stream in a scenario, µs. */
    private String userSys(String scenario, String target) {
        return series(scenario, target, "cpu_user_us").format(1, "%.0f") + " / "
                + series(scenario, target, "cpu_sys_us").format(1, "%.0f");
    }

    private void memory() {
        md.append("## Memory and threads\n\n| | Portkey | Switchboard |\n|---|---|---|\n");
        for (String scenario : List.of("startup", "idle")) {
            for (String key : List.of("rss_kb", "threads")) {
                var line = new StringBuilder("| ").append(key.equals("rss_kb") ? "VmRSS" : "threads").append(", ")
                        .append(scenario.equals("startup") ? "at ready" : "after the warm-up");
                boolean any = false;
                for (String target : List.of("portkey", "switchboard")) {
                    Series s = series(scenario, target, key);
                    any |= !s.isEmpty();
                    line.append(" | ").append(key.equals("rss_kb") ? s.format(1 / 1024.0, "%.0f MB") : s.format(1, "%.0f"));
                }
                if (any) {
                    md.append(line).append(" |\n");
                }
            }
        }
        Series jit = series("warmup", "switchboard", "jit_s");
        if (!jit.isEmpty()) {
            md.append("| JIT compile time during the warm-up | | ").append(jit.format(1, "%.1f s")).append(" |\n");
        }
        Series blocked = series("netguard", "portkey", "blocked_connects");
        if (!blocked.isEmpty()) {
            md.append("| connections off loopback (refused by net-guard) | ").append(blocked.format(1, "%.0f"))
                    .append(" | |\n");
        }
        Series ready = series("startup", "switchboard", "ready_ms");
        if (!ready.isEmpty()) {
            md.append("| start to ready | | ").append(ready.format(1, "%.0f ms")).append(" |\n");
        }
        md.append("\nRSS after and peak over the c=64 points and the live streams are in the tables above"
                + " (VmHWM is reset before each point through /proc/PID/clear_refs).\n");
    }
}
