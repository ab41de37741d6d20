#!/usr/bin/env bash
# Helpers shared by the benchmark drivers (sourced, not run): the tools they need, free ports, a
# gateway's readiness, the machine's background load, a process's CPU, memory, threads and JIT
# time, and reading wrk's and SseLoad's RESULT values. Expects a log function.

# need_tools [PACKAGE...]: installs what is missing from Debian's packages: nginx with the echo
# module, wrk, and the packages named.
need_tools() {
    local need=() package
    command -v nginx >/dev/null || need+=(nginx-core)
    [[ -e /usr/lib/nginx/modules/ngx_http_echo_module.so ]] || need+=(libnginx-mod-http-echo)
    command -v wrk >/dev/null || need+=(wrk)
    for package in "$@"; do
        dpkg -s "$package" >/dev/null 2>&1 || need+=("$package")
    done
    if ((${#need[@]})); then
        log "installing ${need[*]} (Debian packages)"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
    fi
}

# CPU busy % of the whole machine over one second while our processes are idle: other people's
# work on the box, noted next to every figure.
background_busy() {
    local a b total=0 idle i
    read -r -a a < /proc/stat
    sleep 1
    read -r -a b < /proc/stat
    for i in 1 2 3 4 5 6 7 8; do total=$((total + b[i] - a[i])); done
    idle=$((b[4] - a[4] + b[5] - a[5]))
    echo $((100 * (total - idle) / (total > 0 ? total : 1)))
}
load_note() { echo "load=$(cut -d' ' -f1 /proc/loadavg) bg_busy=$(background_busy)%"; }

# ports_free PORT...: fails, logging the first port something already listens on (another
# engineer's gateway, say, would get our requests).
ports_free() {
    local port
    for port in "$@"; do
        if ss -Hltn "sport = :$port" | grep -q .; then
            log "port $port is in use"
            return 1
        fi
    done
}

# wait_ready PORT PID: polls http://127.0.0.1:PORT/health-check?type=READY every 0.02 s until it
# answers 200; fails if PID ends first.
wait_ready() {
    until curl -sf -o /dev/null "http://127.0.0.1:$1/health-check?type=READY"; do
        kill -0 "$2" 2>/dev/null || return 1
        sleep 0.02
    done
}

# cpu_split PID: "utime stime" of a process so far, in clock ticks; cpu_ticks PID: their sum;
# tick_us: microseconds a clock tick.
cpu_split() { local s; s=$(< "/proc/$1/stat"); s=${s##*) }; set -- $s; echo "${12} ${13}"; }
cpu_ticks() { local t; read -r -a t <<< "$(cpu_split "$1")"; echo $((t[0] + t[1])); }
# shellcheck disable=SC2034 # used by the scripts that source this
tick_us=$((1000000 / $(getconf CLK_TCK)))

# jit_seconds PID [JSTAT]: seconds the JVM's JIT compilers have spent so far (jstat, default the
# one on the PATH, reads its perf counters); minus A B: A - B to two decimals.
jit_seconds() { "${2:-jstat}" -compiler "$1" | awk 'NR == 2 {print $4}'; }
minus() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a - b}'; }

# value_of VALUES KEY: KEY's value in a "key=value key=value ..." line (empty if it is not there).
value_of() { local v=" $1 "; v=${v#* "$2"=}; echo "${v%% *}"; }

# status_kb PID FIELD: a field of /proc/PID/status (VmRSS, VmHWM, Threads) without its unit.
status_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }

# sampler PID FILE: appends "VmRSS-kB threads" every 0.5 s until killed or PID ends.
sampler() {
    local pid=$1 file=$2
    while kill -0 "$pid" 2>/dev/null; do
        echo "$(status_kb "$pid" VmRSS) $(status_kb "$pid" Threads)" >> "$file"
        sleep 0.5
    done
}
# max_col FILE COLUMN: the largest number in that column (0 for none).
max_col() { awk -v c="$2" 'BEGIN {m = 0} $c > m {m = $c} END {print m}' "$1"; }
