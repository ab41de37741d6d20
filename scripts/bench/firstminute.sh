#!/usr/bin/env bash
# The first minute: how fast a freshly started gateway reaches its steady-state throughput, per
# JVM and way of starting it. For each variant in VARIANTS, REPEATS times (interleaved): start the
# gateway on scripts/bench/switchboard-bench.yml, time start to ready, then from the moment it is
# ready run wrk (JSON chat, fast nginx upstream, c=CONC) in consecutive SLICE-second runs for
# FIRST_SECONDS: throughput per slice from ready. Steady state is the mean of the slices in the
# last STEADY_SECONDS; "to 90 %" is the end of the first slice at or above 90 % of it.
#
#   scripts/bench/firstminute.sh
#   VARIANTS="jdk17-plain jdk17-launcher" REPEATS=1 FIRST_SECONDS=40 scripts/bench/firstminute.sh
#
# Variants: jdk<N>-plain    java -jar service.jar server … with no flags (as users start it)
#           jdk<N>-launcher bin/switchboard server … with its cache trained beforehand (the
#                           training is timed once per JDK and not counted in start to ready)
#           jdk<N>-nocache  bin/switchboard with SWITCHBOARD_CACHE=off (its flags alone)
#           …-warmup        any of these with gateway.warmup on for WARMUP_TIME (default 20s): a
#                           throwaway gateway in the same JVM trained before the ports open (the
#                           warm-up is inside start to ready)
#   N is 17 (JDK17_HOME, default /usr/lib/jvm/java-17-openjdk-amd64) or 25 (JDK25_HOME, default
#   /usr/lib/jvm/temurin-25-jdk-amd64).
# Settings: REPEATS=2 FIRST_SECONDS=90 SLICE=5 STEADY_SECONDS=30 CONC=64 SKIP_BUILD=1 WARMUP_TIME=20s
#   LAUNCHER_OPTS (SWITCHBOARD_JAVA_OPTS for launcher variants)
#   GATEWAY_CONFIG (the gateway's configuration; default scripts/bench/switchboard-bench.yml)
#   GW_PORT=18380 FAST_PORT=18390 (not run.sh's ports, so the two can share a machine; the admin
#   port is GW_PORT + 1, the latency upstream FAST_PORT + 1; all four must be free)
#   CACHE_DIR (the launcher's caches: a directory of an earlier run's to reuse its training;
#   default <results>/cache, trained afresh)
#   SUMMARY_ONLY=<results directory>: measure nothing, write that run's summary.md again from its
#   raw.tsv and settings.env (the settings above are then that run's)
# Results: scripts/bench/results/firstminute-<time>/{raw.tsv,summary.md,run.log,settings.env},
# logs per start.
set -euo pipefail

cd "$(dirname "$0")/../.."
root=$PWD
bench=$root/scripts/bench

VARIANTS=${VARIANTS:-jdk17-plain jdk17-launcher jdk25-plain jdk25-launcher}
REPEATS=${REPEATS:-2}
FIRST_SECONDS=${FIRST_SECONDS:-90}
SLICE=${SLICE:-5}
STEADY_SECONDS=${STEADY_SECONDS:-30}
CONC=${CONC:-64}
WARMUP_TIME=${WARMUP_TIME:-20s}
JDK17_HOME=${JDK17_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}
JDK25_HOME=${JDK25_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
GATEWAY_CONFIG=${GATEWAY_CONFIG:-$bench/switchboard-bench.yml}
gw_port=${GW_PORT:-18380}
fast_port=${FAST_PORT:-18390}
latency_port=$((fast_port + 1))

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" | tee -a "$run_dir/run.log" >&2; }

# --- summary.md ---------------------------------------------------------------------------
# field(S, K): K's value in a "k=v k=v" string; median(LIST): of space-separated numbers.
awk_lib='
    function field(s, k,   m) { if (match(s, "(^| )" k "=[^ ]*")) { m = substr(s, RSTART, RLENGTH); sub(/^ /, "", m); sub(/^[^=]*=/, "", m); return m } return "" }
    function median(list,   a, n, i, j, t) {
        n = split(list, a, " ")
        for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
        return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }'

# write_summary: run_dir's summary.md from its raw.tsv, with the settings as they are now.
write_summary() {
    local variant
    {
        echo "# The first minute: $(basename "$run_dir")"
        echo
        echo "VARIANTS=\"$VARIANTS\" REPEATS=$REPEATS FIRST_SECONDS=$FIRST_SECONDS SLICE=$SLICE STEADY_SECONDS=$STEADY_SECONDS CONC=$CONC"
        echo "${LAUNCHER_OPTS:+LAUNCHER_OPTS=\"$LAUNCHER_OPTS\"}"
        echo
        echo "Median over repeats (each repeat's value in brackets). Steady: mean of the last $STEADY_SECONDS s;"
        echo "to 90 %: seconds from ready to the end of the first $SLICE s slice at 90 % of steady; by CPU: the"
        echo "first whose CPU per request is within steady / 0.9 (less disturbed by other work on the machine)."
        echo
        echo "| variant | start to ready ms | to 90 % s | to 90 % by CPU s | steady req/s | CPU µs/req (steady) | p50 / p99 ms (steady) | VmHWM MB | RSS at ready MB | RSS idle after MB |"
        echo "|---|---|---|---|---|---|---|---|---|---|"
        awk -F'\t' -v order="$VARIANTS" "$awk_lib"'
            function cell(k, scale,   list, shown, i, n, a, v) {
                n = split(vals[cur, k], a, " ")
                if (n == 0) return "–"
                for (i = 1; i <= n; i++) { v = (a[i] == "none") ? "never" : (scale ? sprintf("%.0f", a[i] / scale) : a[i]); shown = shown (i > 1 ? ", " : "") v; if (a[i] != "none") list = list " " (scale ? a[i] / scale : a[i]) }
                return (list == "" ? "never" : sprintf(scale || k ~ /ready_ms|rps|cpu/ ? "%.0f" : "%.1f", median(list))) " (" shown ")"
            }
            $1 == "run" { for (i = split("ready_ms t90_s t90_cpu_s steady_rps cpu_us_per_req p50_ms p99_ms hwm_kb rss_ready_kb rss_idle_kb", ks, " "); i > 0; i--) vals[$2, ks[i]] = vals[$2, ks[i]] " " field($4, ks[i]) }
            END {
                n = split(order, vs, " ")
                for (v = 1; v <= n; v++) {
                    cur = vs[v]
                    printf "| %s | %s | %s | %s | %s | %s | %s / %s | %s | %s | %s |\n", cur, cell("ready_ms"), cell("t90_s"), cell("t90_cpu_s"), cell("steady_rps"),
                        cell("cpu_us_per_req"), cell("p50_ms"), cell("p99_ms"), cell("hwm_kb", 1024), cell("rss_ready_kb", 1024), cell("rss_idle_kb", 1024)
                }
            }' "$raw"
        echo
        echo "Per $SLICE s slice from ready (medians over repeats): req/s, as % of that variant's steady, and the"
        echo "gateway's CPU per request (its JIT compiler threads included; less disturbed by a busy machine"
        echo "than req/s):"
        echo
        printf '| s from ready |'
        for variant in $VARIANTS; do printf ' %s |' "$variant"; done
        echo
        printf '|---|'
        for variant in $VARIANTS; do printf -- '---|'; done
        echo
        awk -F'\t' -v order="$VARIANTS" -v slice="$SLICE" "$awk_lib"'
            $1 == "slice" {
                i = field($4, "i") + 0
                rps[$2, i] = rps[$2, i] " " field($4, "rps"); cpu[$2, i] = cpu[$2, i] " " field($4, "cpu_us_per_req")
                if (i > max) max = i
            }
            $1 == "run" { steady[$2] = steady[$2] " " field($4, "steady_rps") }
            END {
                n = split(order, vs, " ")
                for (i = 0; i <= max; i++) {
                    printf "| %d–%d |", i * slice, (i + 1) * slice
                    for (v = 1; v <= n; v++) {
                        r = median(rps[vs[v], i]); s = median(steady[vs[v]])
                        printf " %.0f (%.0f %%) %.0f µs |", r, (s > 0 ? 100 * r / s : 0), median(cpu[vs[v], i])
                    }
                    printf "\n"
                }
            }' "$raw"
        echo
        if grep -q '^train' "$raw"; then
            echo "Cache training (once per JDK, before the starts): $(awk -F'\t' '$1 == "train" {printf "%s %s; ", $2, $4}' "$raw")"
            echo
        fi
        echo "Load at each start (load average, others' share of the CPU in the second before):"
        awk -F'\t' '$1 == "run" {match($4, /load=[^ ]* bg_busy=[^ ]*/); printf "%s #%s %s; ", $2, $3, substr($4, RSTART, RLENGTH)} END {print ""}' "$raw"
    } > "$run_dir/summary.md"
    log "done: $run_dir/summary.md"
    cat "$run_dir/summary.md"
}

# SUMMARY_ONLY=<results directory>: write its summary.md again from its raw.tsv, measure nothing.
if [[ -n ${SUMMARY_ONLY:-} ]]; then
    run_dir=$(cd "$SUMMARY_ONLY" && pwd)
    raw=$run_dir/raw.tsv
    # shellcheck source=/dev/null
    source "$run_dir/settings.env"
    write_summary
    exit 0
fi

# --- the settings, checked once ---------------------------------------------------------------
bad_settings() { echo "firstminute.sh: $*" >&2; exit 2; }
jdk_home() {
    case $1 in
        17) echo "$JDK17_HOME" ;;
        25) echo "$JDK25_HOME" ;;
    esac
}
[[ -n ${VARIANTS// /} ]] || bad_settings "VARIANTS is empty"
for variant in $VARIANTS; do
    [[ $variant =~ ^jdk(17|25)-(plain|launcher|nocache)(-warmup)?$ ]] ||
        bad_settings "unknown variant '$variant': jdk17- or jdk25-, then plain, launcher or nocache, then optionally -warmup"
    home=$(jdk_home "${BASH_REMATCH[1]}")
    [[ -x $home/bin/java ]] || bad_settings "variant $variant: no $home/bin/java (set JDK${BASH_REMATCH[1]}_HOME)"
done
((SLICE > 0 && FIRST_SECONDS >= SLICE)) || bad_settings "FIRST_SECONDS ($FIRST_SECONDS) must be at least SLICE ($SLICE), and SLICE above 0"
((STEADY_SECONDS < FIRST_SECONDS)) || bad_settings "STEADY_SECONDS must be below FIRST_SECONDS"

run_dir=$bench/results/firstminute-$(date -u +%Y%m%d-%H%M%S)
mkdir -p "$run_dir"
for name in VARIANTS REPEATS FIRST_SECONDS SLICE STEADY_SECONDS CONC WARMUP_TIME LAUNCHER_OPTS; do
    printf '%s=%q\n' "$name" "${!name:-}"
done > "$run_dir/settings.env"
raw=$run_dir/raw.tsv

# gateway.sh's prepare: Debian packages, the jar, the pids array and its cleanup, nginx; and
# measure.sh's helpers (ports_free, wait_ready, cpu_ticks, tick_us, value_of, status_kb, load_note).
# shellcheck source=scripts/bench/gateway.sh
source "$bench/gateway.sh"
ports_free "$gw_port" $((gw_port + 1)) "$fast_port" "$latency_port" || {
    log "choose other ports with GW_PORT and FAST_PORT"
    exit 1
}
prepare

printf 'record\tvariant\trepeat\tfields\n' > "$raw"
record() { printf '%s\t%s\t%s\t%s\n' "$@" >> "$raw"; }

# --- train each launcher variant's cache once ---------------------------------------------
cache_dir=${CACHE_DIR:-$run_dir/cache}
for variant in $VARIANTS; do
    jdk=${variant%%-*} jdk=${jdk#jdk} kind=${variant#*-} kind=${kind%-warmup}
    [[ $kind == launcher ]] || continue
    [[ -e $cache_dir/trained-$jdk ]] && continue
    log "training the launcher's cache on JDK $jdk"
    start=$(date +%s%N)
    JAVA_HOME=$(jdk_home "$jdk") SWITCHBOARD_CACHE_DIR=$cache_dir SWITCHBOARD_JAR=$root/service/target/service.jar \
        "$root/bin/switchboard" train 2>&1 | tee -a "$run_dir/train-$jdk.log" >&2
    took=$((($(date +%s%N) - start) / 1000000))
    record train "jdk$jdk-launcher" 0 "train_ms=$took cache_kb=$(du -k "$cache_dir"/switchboard-jdk"$jdk".* | awk '$2 !~ /stamp/ {print $1}')"
    touch "$cache_dir/trained-$jdk"
done

# --- one fresh start, measured ------------------------------------------------------------
measure() {
    local variant=$1 repeat=$2 jdk kind home dir start ready_ns cmd warmup=false
    jdk=${variant%%-*} jdk=${jdk#jdk} kind=${variant#*-}
    if [[ $kind == *-warmup ]]; then
        kind=${kind%-warmup} warmup=true
    fi
    home=$(jdk_home "$jdk")
    dir=$run_dir/gateway-$variant-$repeat
    mkdir -p "$dir"
    case $kind in
        plain) cmd=(env -u MALLOC_ARENA_MAX "$home/bin/java" -jar service/target/service.jar) ;;
        launcher) cmd=(env JAVA_HOME="$home" SWITCHBOARD_CACHE=use SWITCHBOARD_CACHE_DIR="$cache_dir"
            SWITCHBOARD_JAVA_OPTS="${LAUNCHER_OPTS:-}" bin/switchboard) ;;
        nocache) cmd=(env JAVA_HOME="$home" SWITCHBOARD_CACHE=off SWITCHBOARD_JAVA_OPTS="${LAUNCHER_OPTS:-}"
            bin/switchboard) ;;
    esac
    local note
    note=$(load_note)
    start=$(date +%s%N)
    BENCH_DIR=$dir BENCH_PORT=$gw_port BENCH_ADMIN_PORT=$((gw_port + 1)) BENCH_FAST_PORT=$fast_port \
        BENCH_LATENCY_PORT=$latency_port BENCH_WARMUP=$warmup BENCH_WARMUP_TIME=$WARMUP_TIME \
        SWITCHBOARD_JAR=$root/service/target/service.jar \
        "${cmd[@]}" server "$GATEWAY_CONFIG" > "$dir/stdout.log" 2>&1 &
    gw_pid=$!
    pids+=("$gw_pid")
    wait_ready "$gw_port" "$gw_pid" || { log "the gateway died; see $dir"; exit 1; }
    ready_ns=$(date +%s%N)
    local ready_ms=$(((ready_ns - start) / 1000000)) rss_ready
    rss_ready=$(status_kb "$gw_pid" VmRSS)
    log "$variant #$repeat: ready in $ready_ms ms ($note)"

    # Consecutive wrk runs from ready; each slice's time is its end, from ready.
    local slices=$((FIRST_SECONDS / SLICE)) i result requests rps before after t p50 p99
    local -a slice_rps=() slice_end=() slice_cpu=() slice_req=() slice_p50=() slice_p99=()
    for ((i = 0; i < slices; i++)); do
        before=$(cpu_ticks "$gw_pid")
        result=$(AUTH='' MODEL=fast/bench-model wrk -t2 -c"$CONC" -d"${SLICE}s" --timeout 10s -s "$bench/chat.lua" \
            "http://127.0.0.1:$gw_port/v1/chat/completions" | grep '^RESULT' | cut -d' ' -f2-)
        after=$(cpu_ticks "$gw_pid")
        t=$((($(date +%s%N) - ready_ns) / 1000000))
        requests=$(value_of "$result" requests) rps=$(value_of "$result" rps)
        slice_rps+=("$rps") slice_end+=("$t") slice_cpu+=($((after - before))) slice_req+=("$requests")
        p50=$(value_of "$result" p50) p99=$(value_of "$result" p99)
        slice_p50+=("$p50") slice_p99+=("$p99")
        record slice "$variant" "$repeat" "i=$i t_ms=$t $result cpu_us_per_req=$(((after - before) * tick_us / (requests > 0 ? requests : 1)))"
    done
    local hwm
    hwm=$(status_kb "$gw_pid" VmHWM)

    # Steady state: the slices ending in the last STEADY_SECONDS.
    local steady t90 cpu_us p50_ms p99_ms
    read -r steady cpu_us p50_ms p99_ms < <(
        for ((i = 0; i < slices; i++)); do
            echo "${slice_end[i]} ${slice_rps[i]} ${slice_cpu[i]} ${slice_req[i]} ${slice_p50[i]} ${slice_p99[i]}"
        done | awk -v from=$(((FIRST_SECONDS - STEADY_SECONDS) * 1000)) -v tick="$tick_us" \
            '$1 > from {n++; s += $2; c += $3; r += $4; p += $5; q += $6}
             END {printf "%.0f %.0f %.2f %.2f\n", s / n, c * tick / (r > 0 ? r : 1), p / n / 1000, q / n / 1000}')
    t90=$(for ((i = 0; i < slices; i++)); do echo "${slice_end[i]} ${slice_rps[i]}"; done |
        awk -v s="$steady" '$2 >= 0.9 * s {printf "%.1f\n", $1 / 1000; exit}')
    # The same by CPU per request (less disturbed by neighbours than req/s): the first slice
    # whose CPU per request is within steady / 0.9.
    local t90_cpu
    t90_cpu=$(for ((i = 0; i < slices; i++)); do echo "${slice_end[i]} ${slice_cpu[i]} ${slice_req[i]}"; done |
        awk -v c="$cpu_us" -v tick="$tick_us" '$3 > 0 && $2 * tick / $3 <= c / 0.9 {printf "%.1f\n", $1 / 1000; exit}')
    sleep 5
    local rss_idle
    rss_idle=$(status_kb "$gw_pid" VmRSS)
    record run "$variant" "$repeat" "ready_ms=$ready_ms steady_rps=$steady t90_s=${t90:-none} t90_cpu_s=${t90_cpu:-none} cpu_us_per_req=$cpu_us p50_ms=$p50_ms p99_ms=$p99_ms hwm_kb=$hwm rss_ready_kb=$rss_ready rss_idle_kb=$rss_idle $note"
    log "$variant #$repeat: steady $steady req/s, 90 % at ${t90:-never} s from ready, $cpu_us µs CPU/req, VmHWM $((hwm / 1024)) MB, idle RSS $((rss_idle / 1024)) MB"
    kill "$gw_pid"
    wait "$gw_pid" 2>/dev/null || true
}

log "variants: $VARIANTS; $REPEATS repeats of $FIRST_SECONDS s in $SLICE s slices, c=$CONC"
for ((repeat = 1; repeat <= REPEATS; repeat++)); do
    for variant in $VARIANTS; do
        measure "$variant" "$repeat"
    done
done
write_summary
