#!/usr/bin/env bash
# Switchboard's performance benchmark, in one command (about 15 minutes on 2 cores):
#
#   scripts/bench/run.sh
#
# Builds the jar, starts a fake OpenAI upstream (nginx, scripts/bench/upstream.sh), and measures
# side by side, REPEATS times, each time on a freshly started gateway:
#   - startup: process start to the first 200 on /health-check?type=READY;
#   - non-streamed chat completions with wrk at each concurrency in LEVELS, straight to the
#     upstream and through the gateway: requests/s, p50/p90/p99, the gateway's CPU per request;
#   - streamed chat completions from the fast upstream at concurrency 64 (SseLoad.java);
#   - time to first token and gaps between chunks from the latency-mode upstream (50 ms to the
#     first byte, chunks 20 ms apart) at concurrency 64;
#   - RSS idle (after warm-up) and under load; threads.
# then start to ready with an AppCDS archive, and once, HOLD_STREAMS streams held open at the
# same time (errors, threads, RSS).
# Results: scripts/bench/results/<time>/ (raw.tsv, summary.md, latency.png, logs); the directory
# is ignored by git. docs/performance.md explains the method and the numbers.
#
# Settings (environment): REPEATS=3 DURATION=10 WARMUP=15 (seconds a warm-up round) WARMUP_ROUNDS=8
#   LEVELS="1 4 16 64 128"
#   HOLD_STREAMS=5000 HOLD_RAMP=250 HOLD_SECONDS=60 HOLD_GAP=2 LAYOUT=shared|split SKIP_BUILD=1
#   GATEWAY_JAVA_OPTS, HOLD_JAVA_OPTS (the gateway's JVM flags; defaults below)
set -euo pipefail

cd "$(dirname "$0")/../.."
root=$PWD
bench=$root/scripts/bench

REPEATS=${REPEATS:-3}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-15}
WARMUP_ROUNDS=${WARMUP_ROUNDS:-8}
LEVELS=${LEVELS:-1 4 16 64 128}
STREAM_SECONDS=${STREAM_SECONDS:-15}
HOLD_STREAMS=${HOLD_STREAMS:-5000}
HOLD_RAMP=${HOLD_RAMP:-250}
HOLD_SECONDS=${HOLD_SECONDS:-60}
HOLD_GAP=${HOLD_GAP:-2}
LAYOUT=${LAYOUT:-shared}
# 128 MB of heap leaves room under the 256 MB RSS budget for what is not heap (~120 MB:
# metaspace, code cache, compiler arenas, thread stacks, direct buffers); Serial GC: no
# concurrent GC threads or remembered sets on 2 cores. glibc's per-thread malloc arenas are held
# to 2 (MALLOC_ARENA_MAX). docs/performance.md has the measurements behind these.
GATEWAY_JAVA_OPTS=${GATEWAY_JAVA_OPTS:--Xms128m -Xmx128m -XX:+UseSerialGC -Xss512k}
# 5,000 open streams hold ~26 KB of heap each: the hold test needs a bigger heap (and says so).
HOLD_JAVA_OPTS=${HOLD_JAVA_OPTS:--Xms320m -Xmx320m -XX:+UseSerialGC -Xss512k}
export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}

gw_port=18080
fast_port=18090
latency_port=18091
run_dir=$bench/results/$(date -u +%Y%m%d-%H%M%S)
raw=$run_dir/raw.tsv
mkdir -p "$run_dir"

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" | tee -a "$run_dir/run.log" >&2; }

# --- prerequisites --------------------------------------------------------------------------
# need_tools, wait_ready, load_note, cpu_ticks, tick_us, jit_seconds, minus, value_of, status_kb,
# sampler, max_col
# shellcheck source=scripts/bench/measure.sh
source "$bench/measure.sh"
need_tools $(command -v gnuplot >/dev/null || echo gnuplot-nox)
ulimit -n "$(ulimit -Hn)"
if (($(ulimit -n) < 3 * HOLD_STREAMS + 1000)); then
    log "open-file limit $(ulimit -n) is low for $HOLD_STREAMS streams; lowering HOLD_STREAMS"
    HOLD_STREAMS=$((($(ulimit -n) - 1000) / 3))
fi

if [[ -z ${SKIP_BUILD:-} || ! -f service/target/service.jar ]]; then
    log "building service/target/service.jar"
    mvn -B -q -DskipTests package -pl service
fi
javac -d "$run_dir/classes" "$bench/SseLoad.java" "$bench/Summarize.java"

# --- processes this script starts (stopped on exit, by pid) ----------------------------------
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT

# split: the gateway alone on cpu 1, upstream and load generators on cpu 0.
# shared: no pinning; everything competes for both cores.
pin_gateway=() pin_tools=()
if [[ $LAYOUT == split ]]; then
    pin_gateway=(taskset -c 1) pin_tools=(taskset -c 0)
fi

HOLD_CHUNKS=$((HOLD_SECONDS / HOLD_GAP)) HOLD_GAP=$HOLD_GAP "${pin_tools[@]}" "$bench/upstream.sh" "$run_dir/nginx" \
    "$fast_port" "$latency_port" > "$run_dir/nginx.pid"
pids+=("$(cat "$run_dir/nginx.pid")")
sleep 0.5

# --- measurements -----------------------------------------------------------------------------
record() { printf '%s\t%s\t%s\t%s\t%s\n' "$@" >> "$raw"; }

# start_gateway REPEAT [TEST [JAVA_OPTS]]: starts the gateway, records start to ready.
start_gateway() {
    local repeat=$1 test=${2:-startup} opts=${3:-$GATEWAY_JAVA_OPTS} dir=$run_dir/gateway-$1-${2:-startup} start now
    mkdir -p "$dir"
    start=$(date +%s%N)
    # shellcheck disable=SC2086 # the flags are words
    BENCH_DIR=$dir BENCH_PORT=$gw_port BENCH_ADMIN_PORT=$((gw_port + 1)) BENCH_FAST_PORT=$fast_port \
        BENCH_LATENCY_PORT=$latency_port "${pin_gateway[@]}" java $opts \
        -jar service/target/service.jar server "$bench/switchboard-bench.yml" > "$dir/stdout.log" 2>&1 &
    gw_pid=$!
    pids+=("$gw_pid")
    wait_ready "$gw_port" "$gw_pid" || { log "the gateway died; see $dir"; exit 1; }
    now=$(date +%s%N)
    record "$repeat" gateway "$test" 0 "ready_ms=$(((now - start) / 1000000)) rss_kb=$(status_kb "$gw_pid" VmRSS) threads=$(status_kb "$gw_pid" Threads)"
    log "gateway $gw_pid ready in $(((now - start) / 1000000)) ms"
}

# wrk_run REPEAT TARGET CONCURRENCY SECONDS: one non-streamed point.
wrk_run() {
    local repeat=$1 target=$2 conc=$3 seconds=$4 url model threads note before after result samples
    if [[ $target == direct ]]; then
        url=http://127.0.0.1:$fast_port/v1/chat/completions model=bench-model
    else
        url=http://127.0.0.1:$gw_port/v1/chat/completions model=fast/bench-model
    fi
    threads=$((conc < 2 ? 1 : 2))
    note=$(load_note)
    samples=$run_dir/samples-$repeat-$target-json-$conc
    : > "$samples"
    local sampler_pid=""
    if [[ $target == gateway ]]; then
        sampler "$gw_pid" "$samples" &
        sampler_pid=$!
    fi
    local jit_before
    jit_before=$(jit_seconds "$gw_pid")
    before=$(cpu_ticks "$gw_pid")
    result=$(MODEL=$model "${pin_tools[@]}" wrk -t"$threads" -c"$conc" -d"${seconds}s" --timeout 10s \
        -s "$bench/chat.lua" "$url" | grep '^RESULT' | cut -d' ' -f2-)
    after=$(cpu_ticks "$gw_pid")
    local extra=""
    if [[ $target == gateway ]]; then
        kill "$sampler_pid" 2>/dev/null || true
        local requests
        requests=$(value_of "$result" requests)
        extra=" gw_cpu_us_per_req=$(((after - before) * tick_us / (requests > 0 ? requests : 1))) rss_max_kb=$(max_col "$samples" 1) threads_max=$(max_col "$samples" 2) jit_s=$(minus "$(jit_seconds "$gw_pid")" "$jit_before")"
    fi
    record "$repeat" "$target" json "$conc" "$result$extra $note"
    log "json c=$conc $target: $result$extra $note"
}

# sse_run REPEAT TARGET TEST: 64 concurrent streams for STREAM_SECONDS (3 s warm-up not counted).
sse_run() {
    local repeat=$1 target=$2 test=$3 url model note before after result
    case $test/$target in
        sse-fast/direct) url=http://127.0.0.1:$fast_port/sse/v1/chat/completions model=bench-model ;;
        sse-fast/gateway) url=http://127.0.0.1:$gw_port/v1/chat/completions model=fast-sse/bench-model ;;
        sse-latency/direct) url=http://127.0.0.1:$latency_port/sse/v1/chat/completions model=bench-model ;;
        sse-latency/gateway) url=http://127.0.0.1:$gw_port/v1/chat/completions model=slow-sse/bench-model ;;
    esac
    note=$(load_note)
    before=$(cpu_ticks "$gw_pid")
    result=$("${pin_tools[@]}" java -Xmx256m -XX:+UseSerialGC -cp "$run_dir/classes" SseLoad --url "$url" \
        --model "$model" --concurrency 64 --seconds "$STREAM_SECONDS" --warmup 3 2>> "$run_dir/sseload.log" \
        | grep '^RESULT' | cut -d' ' -f2-)
    after=$(cpu_ticks "$gw_pid")
    local extra=""
    if [[ $target == gateway ]]; then
        local streams
        streams=$(value_of "$result" streams)
        extra=" gw_cpu_us_per_stream=$(((after - before) * tick_us / (streams > 0 ? streams : 1)))"
    fi
    record "$repeat" "$target" "$test" 64 "$result$extra $note"
    log "$test c=64 $target: $result$extra $note"
}

hold_run() {
    local samples=$run_dir/samples-hold note result
    : > "$samples"
    note=$(load_note)
    sampler "$gw_pid" "$samples" &
    local sampler_pid=$!
    result=$("${pin_tools[@]}" java -Xmx512m -XX:+UseSerialGC -cp "$run_dir/classes" SseLoad \
        --url "http://127.0.0.1:$gw_port/v1/chat/completions" --model hold/bench-model \
        --hold "$HOLD_STREAMS" --ramp "$HOLD_RAMP" --timeout $((HOLD_SECONDS + 60)) 2>> "$run_dir/sseload.log" \
        | grep '^RESULT' | cut -d' ' -f2-)
    kill "$sampler_pid" 2>/dev/null || true
    record 1 gateway hold "$HOLD_STREAMS" "$result rss_max_kb=$(max_col "$samples" 1) threads_max=$(max_col "$samples" 2) hwm_kb=$(status_kb "$gw_pid" VmHWM) $note"
    log "hold $HOLD_STREAMS: $result rss_max_kb=$(max_col "$samples" 1) threads_max=$(max_col "$samples" 2) $note"
}

# Rounds of JSON and streamed traffic until the JIT has settled (under 0.5 s of compiling in a
# round): on 2 shared cores C2 needs a minute or more to compile this stack, and a run measured
# before that measures the compiler.
warm_up() {
    local repeat=$1 round before after
    for round in $(seq 1 "$WARMUP_ROUNDS"); do
        before=$(jit_seconds "$gw_pid")
        MODEL=fast/bench-model "${pin_tools[@]}" wrk -t2 -c16 -d"${WARMUP}s" -s "$bench/chat.lua" \
            "http://127.0.0.1:$gw_port/v1/chat/completions" > /dev/null
        "${pin_tools[@]}" java -cp "$run_dir/classes" SseLoad --url "http://127.0.0.1:$gw_port/v1/chat/completions" \
            --model fast-sse/bench-model --concurrency 16 --seconds 5 > /dev/null 2>&1
        after=$(jit_seconds "$gw_pid")
        log "warm-up round $round: JIT compiled for $(minus "$after" "$before") s"
        if awk -v d="$(minus "$after" "$before")" 'BEGIN {exit !(d < 0.5)}'; then
            break
        fi
    done
    record "$repeat" gateway warmup 0 "rounds=$round jit_last_round_s=$(minus "$after" "$before")"
}

stop_gateway() {
    kill "$gw_pid"
    wait "$gw_pid" 2>/dev/null || true
}

log "run $run_dir: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(java -version 2>&1 | head -1)"
log "layout=$LAYOUT gateway flags: $GATEWAY_JAVA_OPTS (MALLOC_ARENA_MAX=$MALLOC_ARENA_MAX); hold test: $HOLD_JAVA_OPTS"
printf 'repeat\ttarget\ttest\tconcurrency\tvalues\n' > "$raw"

for repeat in $(seq 1 "$REPEATS"); do
    log "--- repeat $repeat of $REPEATS"
    start_gateway "$repeat"
    warm_up "$repeat"
    sleep 2
    record "$repeat" gateway idle 0 "rss_kb=$(status_kb "$gw_pid" VmRSS) threads=$(status_kb "$gw_pid" Threads) $(load_note)"
    for conc in $LEVELS; do
        wrk_run "$repeat" direct "$conc" "$DURATION"
        wrk_run "$repeat" gateway "$conc" "$DURATION"
    done
    for test in sse-fast sse-latency; do
        sse_run "$repeat" direct "$test"
        sse_run "$repeat" gateway "$test"
    done
    record "$repeat" gateway peak 0 "hwm_kb=$(status_kb "$gw_pid" VmHWM) threads=$(status_kb "$gw_pid" Threads)"
    if ((repeat < REPEATS)); then
        stop_gateway
    fi
done


stop_gateway

# Start to ready with an application class-data archive (AppCDS, a JDK 17 feature): one training
# start writes the archive at exit, then three starts use it.
log "--- startup with AppCDS"
start_gateway 1 startup-cds-training "$GATEWAY_JAVA_OPTS -XX:ArchiveClassesAtExit=$run_dir/switchboard.jsa"
MODEL=fast/bench-model wrk -t1 -c2 -d3s -s "$bench/chat.lua" "http://127.0.0.1:$gw_port/v1/chat/completions" > /dev/null
stop_gateway
for repeat in $(seq 1 "$REPEATS"); do
    start_gateway "$repeat" startup-cds "$GATEWAY_JAVA_OPTS -XX:SharedArchiveFile=$run_dir/switchboard.jsa"
    stop_gateway
done

if ((HOLD_STREAMS > 0)); then
    log "--- $HOLD_STREAMS streams held open (ramp $HOLD_RAMP/s, a chunk every ${HOLD_GAP}s for ${HOLD_SECONDS}s; gateway: $HOLD_JAVA_OPTS)"
    start_gateway 1 startup-hold "$HOLD_JAVA_OPTS"
    sleep 2
    hold_run
    stop_gateway
fi

java -cp "$run_dir/classes" Summarize "$raw" "$run_dir" > "$run_dir/summary.md"
gnuplot -e "data='$run_dir/plot.dat'; out='$run_dir/latency.png'" "$bench/plot.gp"
cat "$run_dir/summary.md"
log "results in $run_dir (summary.md, latency.png, raw.tsv)"
