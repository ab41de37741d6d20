#!/usr/bin/env bash
# How much of the gateway's cost per request is the stack under it, and how much is Jersey and
# the gateway's own features: three targets side by side, non-streamed, the fast upstream.
#   direct   nginx alone (scripts/bench/upstream.sh)
#   floor    JettyFloor.java: the same Jetty 12 server and HttpClient and the same JSON rewrite
#            as the gateway, nothing else
#   gateway  service/target/service.jar with switchboard-bench.yml, flags as in run.sh
# Each JVM is warmed until its JIT compiles for under 0.5 s in a 15 s round, then every
# concurrency runs REPEATS times, alternating floor and gateway. Loopback only.
#
# Usage: scripts/bench/floor.sh        (run.sh must have installed nginx and wrk once)
#   LEVELS ("1 16 64"), DURATION (10), REPEATS (3), GATEWAY_JAVA_OPTS, FLOOR_JAVA_OPTS,
#   GATEWAY_CONFIG (default switchboard-bench.yml)
set -euo pipefail
cd "$(dirname "$0")/../.."
bench=scripts/bench

LEVELS=${LEVELS:-1 16 64}
DURATION=${DURATION:-10}
REPEATS=${REPEATS:-3}
GATEWAY_JAVA_OPTS=${GATEWAY_JAVA_OPTS:--Xms128m -Xmx128m -XX:+UseSerialGC -Xss512k}
GATEWAY_CONFIG=${GATEWAY_CONFIG:-$bench/switchboard-bench.yml}
FLOOR_JAVA_OPTS=${FLOOR_JAVA_OPTS:-$GATEWAY_JAVA_OPTS}
export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}
gw_port=18080 floor_port=18070 fast_port=18090 latency_port=18091
dir=$PWD/$bench/results/floor-$(date -u +%Y%m%d-%H%M%S)
mkdir -p "$dir"
log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" | tee -a "$dir/run.log" >&2; }
# wait_ready, cpu_ticks, tick_us, jit_seconds, minus, value_of and the other process measures
# shellcheck source=scripts/bench/measure.sh
source "$bench/measure.sh"

[[ -f service/target/service.jar ]] || mvn -B -q -DskipTests package -pl service
javac -nowarn -cp service/target/service.jar -d "$dir/classes" "$bench/JettyFloor.java" 2> /dev/null

pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT

"$bench/upstream.sh" "$dir/nginx" "$fast_port" "$latency_port" > "$dir/nginx.pid"
pids+=("$(cat "$dir/nginx.pid")")

# shellcheck disable=SC2086 # the flags are words
java $FLOOR_JAVA_OPTS -cp "service/target/service.jar:$dir/classes" JettyFloor "$floor_port" \
    "http://127.0.0.1:$fast_port/v1/chat/completions" > "$dir/floor.log" 2>&1 &
floor_pid=$!
pids+=("$floor_pid")
# shellcheck disable=SC2086
BENCH_DIR=$dir BENCH_PORT=$gw_port BENCH_ADMIN_PORT=$((gw_port + 1)) BENCH_FAST_PORT=$fast_port \
    BENCH_LATENCY_PORT=$latency_port java $GATEWAY_JAVA_OPTS \
    -jar service/target/service.jar server "$GATEWAY_CONFIG" > "$dir/gateway.log" 2>&1 &
gw_pid=$!
pids+=("$gw_pid")
wait_ready "$gw_port" "$gw_pid" || { log "the gateway died; see $dir/gateway.log"; exit 1; }
until curl -sf -o /dev/null -XPOST -d '{}' "http://127.0.0.1:$floor_port/v1/chat/completions"; do sleep 0.05; done

url() {
    case $1 in
        direct) echo "http://127.0.0.1:$fast_port/v1/chat/completions" ;;
        floor) echo "http://127.0.0.1:$floor_port/v1/chat/completions" ;;
        gateway) echo "http://127.0.0.1:$gw_port/v1/chat/completions" ;;
    esac
}
pid_of() { case $1 in floor) echo "$floor_pid" ;; gateway) echo "$gw_pid" ;; *) echo "" ;; esac; }
hwm_mb() { awk '$1 == "VmHWM:" {print int($2 / 1024)}' "/proc/$1/status"; }

# measure TARGET CONCURRENCY SECONDS: prints "rps p50_us p99_us cpu_us_per_req"
measure() {
    local target=$1 conc=$2 seconds=$3 pid before=0 after=0 result requests
    pid=$(pid_of "$target")
    [[ -n $pid ]] && before=$(cpu_ticks "$pid")
    result=$(MODEL=fast/bench-model wrk -t$((conc < 2 ? 1 : 2)) -c"$conc" -d"${seconds}s" --timeout 10s \
        -s "$bench/chat.lua" "$(url "$target")" | grep '^RESULT')
    [[ -n $pid ]] && after=$(cpu_ticks "$pid")
    requests=$(value_of "$result" requests)
    echo "$(value_of "$result" rps) $(value_of "$result" p50) $(value_of "$result" p99)" \
        "$(((after - before) * tick_us / (requests > 0 ? requests : 1)))"
}

for target in floor gateway; do
    pid=$(pid_of "$target")
    for round in 1 2 3 4 5 6 7 8; do
        before=$(jit_seconds "$pid")
        measure "$target" 16 15 > /dev/null
        spent=$(minus "$(jit_seconds "$pid")" "$before")
        log "warm-up $target round $round: JIT compiled for $spent s"
        awk -v s="$spent" 'BEGIN {exit !(s < 0.5)}' && break
    done
done

printf 'repeat\ttarget\tconcurrency\trps\tp50_us\tp99_us\tcpu_us_per_req\n' > "$dir/raw.tsv"
for repeat in $(seq 1 "$REPEATS"); do
    for conc in $LEVELS; do
        for target in direct floor gateway; do
            read -r rps p50 p99 cpu <<< "$(measure "$target" "$conc" "$DURATION")"
            printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$repeat" "$target" "$conc" "$rps" "$p50" "$p99" "$cpu" >> "$dir/raw.tsv"
            log "repeat $repeat c=$conc $target: $rps req/s p50 ${p50} µs p99 ${p99} µs cpu ${cpu} µs/req"
        done
    done
done
log "peak RSS: floor $(hwm_mb "$floor_pid") MB, gateway $(hwm_mb "$gw_pid") MB; threads: floor \
$(awk '$1 == "Threads:" {print $2}' "/proc/$floor_pid/status"), gateway $(awk '$1 == "Threads:" {print $2}' "/proc/$gw_pid/status")"

# Medians over the repeats, per target and concurrency.
{
    echo "| c | target | req/s | p50 ms | p99 ms | CPU µs/req |"
    echo "|---|---|---|---|---|---|"
    for conc in $LEVELS; do
        for target in direct floor gateway; do
            awk -F'\t' -v c="$conc" -v t="$target" '
                $2 == t && $3 == c {n++; r[n] = $4; a[n] = $5; b[n] = $6; u[n] = $7}
                function median(x, n,   i, j, tmp) {
                    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (x[j] < x[i]) {tmp = x[i]; x[i] = x[j]; x[j] = tmp}
                    return x[int((n + 1) / 2)]
                }
                END {printf "| %s | %s | %.0f | %.3f | %.3f | %s |\n", c, t, median(r, n), median(a, n) / 1000, median(b, n) / 1000, t == "direct" ? "" : median(u, n)}
            ' "$dir/raw.tsv"
        done
    done
} | tee "$dir/summary.md"
log "results in $dir"
