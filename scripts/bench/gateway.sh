#!/usr/bin/env bash
# Shared by accounts.sh, redis.sh and firstminute.sh (sourced, not run). prepare: installs what is
# missing (nginx with the echo module, wrk, and the Debian packages named as arguments), builds the
# jar unless SKIP_BUILD, kills what it started on exit (the pids array), starts the fake upstream.
# Then (accounts.sh, redis.sh) one benchmark gateway at a time, started from "$run_dir/<name>.yml"
# with its logs under "$run_dir/gateway-<name>/", and one wrk point; firstminute.sh starts its
# gateways itself.
# Expects: run_dir, bench, gw_port, fast_port, latency_port, CONC, GATEWAY_JAVA_OPTS and a log function.
# Also (from measure.sh): every helper there (ports_free, wait_ready, cpu_ticks, tick_us,
# status_kb, load_note, ...), for scripts that start or measure a process themselves.

# shellcheck source=scripts/bench/measure.sh
source "$bench/measure.sh"

prepare() {
    need_tools "$@"
    if [[ -z ${SKIP_BUILD:-} || ! -f service/target/service.jar ]]; then
        log "building service/target/service.jar"
        mvn -B -q -DskipTests package -pl service
    fi

    pids=()
    cleanup() {
        for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
        wait 2>/dev/null || true
    }
    trap cleanup EXIT

    "$bench/upstream.sh" "$run_dir/nginx" "$fast_port" "$latency_port" > "$run_dir/nginx.pid"
    pids+=("$(cat "$run_dir/nginx.pid")")
}

gw_pid=
start_gateway() {
    local name=$1 dir=$run_dir/gateway-$1
    mkdir -p "$dir"
    # shellcheck disable=SC2086 # the flags are words
    BENCH_DIR=$dir BENCH_PORT=$gw_port BENCH_ADMIN_PORT=$((gw_port + 1)) BENCH_FAST_PORT=$fast_port \
        BENCH_LATENCY_PORT=$latency_port java $GATEWAY_JAVA_OPTS \
        -jar service/target/service.jar server "$run_dir/$name.yml" > "$dir/stdout.log" 2>&1 &
    gw_pid=$!
    pids+=("$gw_pid")
    wait_ready "$gw_port" "$gw_pid" || { log "the gateway died; see $dir"; exit 1; }
}
stop_gateway() {
    kill "$gw_pid"
    wait "$gw_pid" 2>/dev/null || true
}
point() {
    local name=$1 seconds=$2 auth=$3
    AUTH=$auth MODEL=fast/bench-model wrk -t2 -c"$CONC" -d"${seconds}s" --timeout 10s -s "$bench/chat.lua" \
        "http://127.0.0.1:$gw_port/v1/chat/completions" | grep '^RESULT' | sed "s/^RESULT/$name/"
}
