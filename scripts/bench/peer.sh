#!/usr/bin/env bash
# Switchboard, the Portkey peer and the direct path, side by side in one run (issue 16):
#
#   scripts/bench/peer.sh
#
# Starts the fake upstream (nginx, upstream.sh), one Switchboard gateway (GATEWAY_CMD) and
# Portkey (../shared/peers/portkey.sh, which must have been installed beforehand with
# `$PORTKEY_SH install`, an npm install from the network: this script fetches nothing and stops
# if Portkey is a target and not installed), warms both gateways up,
# then REPEATS times runs every scenario in SCENARIOS against the targets in turn (direct,
# portkey, switchboard), so that ratios and "added" figures come from the same minute of the
# same run. Scenarios:
#   json64    JSON chat, wrk c=64, fast upstream: req/s, p50, p99, CPU per request, RSS (VmRSS
#             after, VmHWM over the point)
#   json1     JSON chat, wrk c=1: p50, p99 (added = target - direct of the same repeat)
#   stream10  streams of 10 chunks sent at once (upstream /sse10), SseLoad c=64: streams/s,
#             CPU per stream, RSS
#   ttft      streams from the latency upstream (50 ms to the first byte, chunks 20 ms apart),
#             SseLoad c=64: time to the first token (first event with text) and to the first
#             event p50/p99 (the gateway holds a role-only chunk back until the first text)
#   chunk     gateway CPU (utime and stime of the process, /proc/PID/stat) per stream of 1 and
#             of 65 chunks sent at once (sse1, sse65), c=64, gateways only; per chunk =
#             (cpu65 - cpu1) / (events65 - events1); Switchboard's translation paths too
#             (targets switchboard-anthropic: ant1/ant65, switchboard-gemini: gem1/gem65)
#   live      LIVE_STREAMS streams open at once (SseLoad hold mode, opened at LIVE_RAMP/s), each
#             a chunk every LIVE_GAP s for LIVE_SECONDS: errors, chunk-gap p50/p99, the
#             gateway's RSS peak and threads; direct and switchboard (portkey too if LIVE_PEER=1)
# Before every point: load average and the CPU share other processes used (bg_busy).
# Results: scripts/bench/results/peer-<UTC time>/ (raw.tsv, summary.md, run.log, logs).
#
# Settings (environment; defaults in brackets):
#   SCENARIOS ["json64 json1 stream10 ttft chunk live"]  TARGETS ["direct portkey switchboard"]
#   REPEATS [3]  DURATION [8] (s per wrk point)  STREAM_SECONDS [8] (s per SseLoad point,
#   measured, after STREAM_WARMUP [2] s not counted)  WARMUP [60] (s of JSON and as many of
#   streams, per gateway, before the first repeat)
#   LIVE_STREAMS [2000] LIVE_SECONDS [30] LIVE_GAP [0.05] LIVE_RAMP [500] LIVE_PEER [unset]
#   GATEWAY_CMD [$JAVA_HOME/bin/java $GATEWAY_JAVA_OPTS -jar service/target/service.jar server
#   scripts/bench/switchboard-bench.yml]; GATEWAY_JAVA_OPTS [none: as users start the jar];
#   JAVA_HOME [java on the PATH]; SKIP_BUILD=1 reuses service/target/service.jar
#   GW_PORT [18280] (admin: +1) FAST_PORT [18290] LATENCY_PORT [18291] PORTKEY_PORT [18787]
#   PORTKEY_SH [../shared/peers/portkey.sh, else /work/shared/peers/portkey.sh]
#   PEERS_DIR [${TMPDIR:-/tmp}/switchboard-peers] (where portkey.sh installs Portkey: checked
#   here when portkey is a target; give portkey.sh install the same)
set -euo pipefail

cd "$(dirname "$0")/../.."
root=$PWD
bench=$root/scripts/bench

SCENARIOS=${SCENARIOS:-json64 json1 stream10 ttft chunk live}
TARGETS=${TARGETS:-direct portkey switchboard}
REPEATS=${REPEATS:-3}
DURATION=${DURATION:-8}
STREAM_SECONDS=${STREAM_SECONDS:-8}
STREAM_WARMUP=${STREAM_WARMUP:-2}
WARMUP=${WARMUP:-60}
LIVE_STREAMS=${LIVE_STREAMS:-2000}
LIVE_SECONDS=${LIVE_SECONDS:-30}
LIVE_GAP=${LIVE_GAP:-0.05}
LIVE_RAMP=${LIVE_RAMP:-500}
LIVE_PEER=${LIVE_PEER:-}
GATEWAY_JAVA_OPTS=${GATEWAY_JAVA_OPTS:-}
java_bin=java jstat_bin=jstat
if [[ -n ${JAVA_HOME:-} ]]; then
    java_bin=$JAVA_HOME/bin/java jstat_bin=$JAVA_HOME/bin/jstat
    export JAVA_HOME
fi
GATEWAY_CMD=${GATEWAY_CMD:-$java_bin $GATEWAY_JAVA_OPTS -jar service/target/service.jar server scripts/bench/switchboard-bench.yml}
GW_PORT=${GW_PORT:-18280}
FAST_PORT=${FAST_PORT:-18290}
LATENCY_PORT=${LATENCY_PORT:-18291}
PORTKEY_PORT=${PORTKEY_PORT:-18787}
if [[ -z ${PORTKEY_SH:-} ]]; then
    PORTKEY_SH=$root/../shared/peers/portkey.sh
    [[ -x $PORTKEY_SH ]] || PORTKEY_SH=/work/shared/peers/portkey.sh
fi

run_dir=$bench/results/peer-$(date -u +%Y%m%d-%H%M%S)
raw=$run_dir/raw.tsv
mkdir -p "$run_dir"
log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" | tee -a "$run_dir/run.log" >&2; }
has() { [[ " $1 " == *" $2 "* ]]; }

# --- prerequisites --------------------------------------------------------------------------
# need_tools, ports_free, wait_ready, load_note, cpu_split, tick_us, jit_seconds, minus, value_of,
# status_kb, sampler, max_col
# shellcheck source=scripts/bench/measure.sh
source "$bench/measure.sh"
need_tools
ulimit -n "$(ulimit -Hn)"
if has "$SCENARIOS" live && (($(ulimit -n) < 2 * LIVE_STREAMS + 1000)); then
    LIVE_STREAMS=$((($(ulimit -n) - 1000) / 2))
    log "open-file limit $(ulimit -n) is low; LIVE_STREAMS lowered to $LIVE_STREAMS"
fi
ports_free "$FAST_PORT" "$LATENCY_PORT" "$GW_PORT" $((GW_PORT + 1)) "$PORTKEY_PORT" || {
    log "choose other ports with FAST_PORT, LATENCY_PORT, GW_PORT, PORTKEY_PORT"
    exit 1
}
# Portkey comes from npm: installing it is a step of its own, never done here.
if has "$TARGETS" portkey; then
    peers_dir=${PEERS_DIR:-${TMPDIR:-/tmp}/switchboard-peers}
    if [[ ! -f $peers_dir/portkey/node_modules/@portkey-ai/gateway/build/start-server.js ]]; then
        log "Portkey is not installed under $peers_dir; install it first (npm, from the network):"
        log "  PEERS_DIR=$peers_dir $PORTKEY_SH install"
        log "or leave portkey out of TARGETS"
        exit 1
    fi
fi

if [[ -z ${SKIP_BUILD:-} || ! -f service/target/service.jar ]]; then
    log "building service/target/service.jar"
    mvn -B -q -DskipTests package -pl service
fi
javac -d "$run_dir/classes" "$bench/SseLoad.java" "$bench/PeerSummary.java"

# --- processes this script starts (stopped on exit, by pid) ----------------------------------
pids=()
portkey_started=
cleanup() {
    [[ -n $portkey_started ]] && "$PORTKEY_SH" stop --port "$PORTKEY_PORT" >/dev/null 2>&1
    local pid tries=0
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    # the JVM under a launcher that does not exec is not our child: wait for it to stop (10 s)
    for pid in "${pids[@]}"; do
        while kill -0 "$pid" 2>/dev/null && ((tries++ < 100)); do sleep 0.1; done
    done
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The hold location serves the live scenario: a chunk every LIVE_GAP s for LIVE_SECONDS.
live_chunks=$(awk -v s="$LIVE_SECONDS" -v g="$LIVE_GAP" 'BEGIN {printf "%d", s / g}')
HOLD_GAP=$LIVE_GAP HOLD_CHUNKS=$live_chunks "$bench/upstream.sh" "$run_dir/nginx" "$FAST_PORT" "$LATENCY_PORT" \
    > "$run_dir/nginx.pid"
pids+=("$(cat "$run_dir/nginx.pid")")

# The pid of the process listening on PORT (the JVM, even when GATEWAY_CMD is a launcher script).
listener_pid() { ss -Hltnp "sport = :$1" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2; }

gw_pid= pk_pid=
if has "$TARGETS" switchboard; then
    mkdir -p "$run_dir/gateway"
    start=$(date +%s%N)
    BENCH_DIR=$run_dir/gateway BENCH_PORT=$GW_PORT BENCH_ADMIN_PORT=$((GW_PORT + 1)) BENCH_FAST_PORT=$FAST_PORT \
        BENCH_LATENCY_PORT=$LATENCY_PORT bash -c "exec $GATEWAY_CMD" \
        > "$run_dir/gateway/stdout.log" 2>&1 &
    launcher=$!
    pids+=("$launcher")
    wait_ready "$GW_PORT" "$launcher" || { log "the gateway died; see $run_dir/gateway"; exit 1; }
    ready_ms=$((($(date +%s%N) - start) / 1000000))
    gw_pid=$(listener_pid "$GW_PORT")
    gw_pid=${gw_pid:-$launcher}
    [[ $gw_pid == "$launcher" ]] || pids+=("$gw_pid")
    log "switchboard pid $gw_pid ready in $ready_ms ms: $GATEWAY_CMD"
    log "switchboard JVM: $(tr '\0' ' ' < "/proc/$gw_pid/cmdline")"
fi
if has "$TARGETS" portkey; then
    "$PORTKEY_SH" start --port "$PORTKEY_PORT" >> "$run_dir/run.log" 2>&1
    portkey_started=1
    pk_pid=$(cat "/tmp/perf-portkey-$PORTKEY_PORT/portkey.pid")
    log "portkey pid $pk_pid on port $PORTKEY_PORT ($(node --version), logs in /tmp/perf-portkey-$PORTKEY_PORT)"
fi

# --- measurements -----------------------------------------------------------------------------
record() { printf '%s\t%s\t%s\t%s\t%s\n' "$@" >> "$raw"; }

# route TARGET UPSTREAM: url, model and headers (one "Name: value" a line) for a request from
# the UPSTREAM location (nginx path prefix; Switchboard's provider of the same name) via TARGET.
route() {
    local target=$1 upstream=$2 port prefix
    case $upstream in
        fast) port=$FAST_PORT prefix= ;;
        sse1 | sse10 | sse65 | ant1 | ant65 | gem1 | gem65) port=$FAST_PORT prefix=/$upstream ;;
        slow-sse) port=$LATENCY_PORT prefix=/sse ;;
        hold) port=$LATENCY_PORT prefix=/hold ;;
    esac
    headers=
    case $target in
        direct) url=http://127.0.0.1:$port$prefix/v1/chat/completions model=bench-model ;;
        portkey)
            url=http://127.0.0.1:$PORTKEY_PORT/v1/chat/completions model=bench-model
            headers=$'x-portkey-provider: openai\nx-portkey-custom-host: '"http://127.0.0.1:$port$prefix/v1"$'\nAuthorization: Bearer bench-key'
            ;;
        switchboard*) url=http://127.0.0.1:$GW_PORT/v1/chat/completions model=$upstream/bench-model ;;
    esac
}

# wrk_load CONCURRENCY SECONDS: one wrk run against the route; prints the RESULT values.
wrk_load() {
    local threads=$(($1 < 2 ? 1 : 2))
    HEADERS=$headers MODEL=$model wrk -t"$threads" -c"$1" -d"${2}s" --timeout 10s -s "$bench/chat.lua" "$url" \
        | grep '^RESULT' | cut -d' ' -f2-
}

# sse_load ARGS...: one SseLoad run against the route; prints the RESULT values.
sse_load() {
    local args=(--url "$url" --model "$model") line
    while IFS= read -r line; do
        [[ -n $line ]] && args+=(--header "$line")
    done <<< "$headers"
    java -Xmx512m -XX:+UseSerialGC -cp "$run_dir/classes" SseLoad "${args[@]}" "$@" 2>> "$run_dir/sseload.log" \
        | grep '^RESULT' | cut -d' ' -f2-
}

# point REPEAT SCENARIO TARGET: one measurement, recorded in raw.tsv.
point() {
    local repeat=$1 scenario=$2 target=$3 pid= conc=64 note result units before after extra=""
    case $target in switchboard*) pid=$gw_pid ;; portkey) pid=$pk_pid ;; esac
    # switchboard-anthropic / -gemini: the gateway's translation paths (chunk scenario only)
    local upstream_of=sse
    case $target in switchboard-anthropic) upstream_of=ant ;; switchboard-gemini) upstream_of=gem ;; esac
    case $scenario in
        json64 | json1) route "$target" fast ;;
        stream10) route "$target" sse10 ;;
        ttft) route "$target" slow-sse ;;
        chunk1) route "$target" ${upstream_of}1 ;;
        chunk65) route "$target" ${upstream_of}65 ;;
        live) route "$target" hold && conc=$LIVE_STREAMS ;;
    esac
    [[ $scenario == json1 ]] && conc=1
    if [[ -n $pid ]] && ! kill -0 "$pid" 2>/dev/null; then
        local status=unknown
        [[ $pid == "${launcher:-}" ]] && { wait "$pid" && status=0 || status=$?; }
        log "$target (pid $pid) has stopped (exit status $status); its logs: $run_dir/gateway or /tmp/perf-portkey-$PORTKEY_PORT"
        exit 1
    fi
    note=$(load_note)
    local samples=$run_dir/samples-$repeat-$scenario-$target sampler_pid= jit_before=
    if [[ -n $pid ]]; then
        { echo 5 > "/proc/$pid/clear_refs"; } 2>/dev/null || true # resets VmHWM: the peak of this point
        : > "$samples"
        sampler "$pid" "$samples" &
        sampler_pid=$!
        read -r -a before <<< "$(cpu_split "$pid")"
        [[ $target == switchboard ]] && jit_before=$(jit_seconds "$gw_pid" "$jstat_bin")
    fi
    case $scenario in
        json*) result=$(wrk_load "$conc" "$DURATION") ;;
        live) result=$(sse_load --hold "$LIVE_STREAMS" --ramp "$LIVE_RAMP" --timeout $((${LIVE_SECONDS%.*} + 60))) ;;
        *) result=$(sse_load --concurrency "$conc" --seconds $((STREAM_SECONDS + STREAM_WARMUP)) --warmup "$STREAM_WARMUP") ;;
    esac
    if [[ -n $pid ]]; then
        read -r -a after <<< "$(cpu_split "$pid")"
        kill "$sampler_pid" 2>/dev/null || true
        wait "$sampler_pid" 2>/dev/null || true
        case $scenario in json*) units=$(value_of "$result" requests) ;; *) units=$(value_of "$result" streams_all) ;; esac
        units=$((units > 0 ? units : 1))
        extra=" cpu_user_us=$(((after[0] - before[0]) * tick_us / units)) cpu_sys_us=$(((after[1] - before[1]) * tick_us / units))"
        extra+=" rss_kb=$(status_kb "$pid" VmRSS) hwm_kb=$(status_kb "$pid" VmHWM) rss_max_kb=$(max_col "$samples" 1)"
        extra+=" threads_max=$(max_col "$samples" 2)"
        [[ -n $jit_before ]] && extra+=" jit_s=$(minus "$(jit_seconds "$gw_pid" "$jstat_bin")" "$jit_before")"
    fi
    record "$repeat" "$scenario" "$target" "$conc" "$result$extra $note"
    log "$scenario $target: $result$extra $note"
}

# --- the run ----------------------------------------------------------------------------------
log "run $run_dir: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
log "scenarios: $SCENARIOS; targets: $TARGETS; repeats $REPEATS, wrk ${DURATION}s, streams ${STREAM_SECONDS}s (+${STREAM_WARMUP}s), warm-up ${WARMUP}s"
printf 'repeat\tscenario\ttarget\tconcurrency\tvalues\n' > "$raw"
meta="gateway_cmd=${GATEWAY_CMD// /_} java=$("$java_bin" -version 2>&1 | head -1 | tr ' ' _)"
has "$TARGETS" portkey && meta+=" node=$(node --version)"
meta+=" repeats=$REPEATS duration_s=$DURATION stream_s=$STREAM_SECONDS warmup_s=$WARMUP live_streams=$LIVE_STREAMS"
meta+=" live_gap_s=$LIVE_GAP live_s=$LIVE_SECONDS live_ramp=$LIVE_RAMP"
record 0 meta run 0 "$meta cores=$(nproc) $(load_note)"
if [[ -n $gw_pid ]]; then
    record 0 startup switchboard 0 "ready_ms=$ready_ms rss_kb=$(status_kb "$gw_pid" VmRSS) threads=$(status_kb "$gw_pid" Threads)"
fi

# Warm-up: WARMUP seconds of JSON at c=16, then as many of 10-chunk streams, per gateway.
for target in portkey switchboard; do
    has "$TARGETS" $target || continue
    [[ $target == switchboard ]] && jit_start=$(jit_seconds "$gw_pid" "$jstat_bin")
    route $target fast
    wrk_load 16 "$WARMUP" > /dev/null
    route $target sse10
    sse_load --concurrency 16 --seconds "$WARMUP" > /dev/null
    if [[ $target == switchboard ]]; then
        jit_warmup=$(minus "$(jit_seconds "$gw_pid" "$jstat_bin")" "$jit_start")
        record 0 warmup switchboard 0 "jit_s=$jit_warmup"
        log "warm-up $target: JIT compiled for $jit_warmup s"
    else
        log "warm-up $target done"
    fi
done
for target in portkey switchboard; do
    pid=$([[ $target == switchboard ]] && echo "$gw_pid" || echo "$pk_pid")
    [[ -n $pid ]] && record 0 idle $target 0 "rss_kb=$(status_kb "$pid" VmRSS) hwm_kb=$(status_kb "$pid" VmHWM) threads=$(status_kb "$pid" Threads)"
done

for repeat in $(seq 1 "$REPEATS"); do
    log "--- repeat $repeat of $REPEATS"
    for scenario in $SCENARIOS; do
        case $scenario in
            chunk)
                for target in portkey switchboard switchboard-anthropic switchboard-gemini; do
                    has "$TARGETS" "${target%%-*}" || continue
                    point "$repeat" chunk1 $target
                    point "$repeat" chunk65 $target
                done
                ;;
            live)
                for target in $TARGETS; do
                    [[ $target == portkey && -z $LIVE_PEER ]] && continue
                    point "$repeat" live "$target"
                done
                ;;
            json64 | json1 | stream10 | ttft)
                for target in $TARGETS; do point "$repeat" "$scenario" "$target"; done
                ;;
            *) log "unknown scenario $scenario (skipped)" ;;
        esac
    done
done

if [[ -n $pk_pid ]]; then
    # Portkey runs under net-guard, which logs (and refuses) any connection off loopback
    blocked=$(grep -c BLOCKED "/tmp/perf-portkey-$PORTKEY_PORT/netguard.log" || true)
    record 0 netguard portkey 0 "blocked_connects=$blocked"
    ((blocked == 0)) || log "Portkey tried $blocked connections off loopback (refused): /tmp/perf-portkey-$PORTKEY_PORT/netguard.log"
fi
java -cp "$run_dir/classes" PeerSummary "$raw" > "$run_dir/summary.md"
cat "$run_dir/summary.md"
log "results in $run_dir (summary.md, raw.tsv, run.log)"
