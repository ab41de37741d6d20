#!/usr/bin/env bash
# Helpers shared by the benchmark drivers (sourced, not run): the tools they need, the machine's
# background load, a process's CPU, memory and threads. Expects a log function.

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

# cpu_split PID: "utime stime" of a process so far, in clock ticks; cpu_ticks PID: their sum.
cpu_split() { local s; s=$(< "/proc/$1/stat"); s=${s##*) }; set -- $s; echo "${12} ${13}"; }
cpu_ticks() { local t; read -r -a t <<< "$(cpu_split "$1")"; echo $((t[0] + t[1])); }

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
