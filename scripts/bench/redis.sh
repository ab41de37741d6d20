#!/usr/bin/env bash
# What the shared limiter costs: the same gateway, with a virtual key that has an RPM, a TPM and a
# budget, once with per-instance limits ("local") and once with them in Redis on loopback
# ("shared", cluster.redis.uri), measured interleaved (local, shared, local, shared ...) with wrk
# at one concurrency against the fake upstream. Loopback only; redis-server runs from
# /usr/bin/redis-server on a free port, persistence off, and is stopped at the end.
#
#   scripts/bench/redis.sh               # REPEATS=3 DURATION=15 CONC=64 WARMUP=20
#
# Prints one line per point and a summary (p50/p99 in microseconds); writes under
# scripts/bench/results/redis-<time>/. Redis's own latency for the limits script is read from
# the gateway's switchboard_redis_command_seconds histogram after each shared point.
set -euo pipefail

cd "$(dirname "$0")/../.."
root=$PWD
bench=$root/scripts/bench

REPEATS=${REPEATS:-3}
DURATION=${DURATION:-15}
CONC=${CONC:-64}
WARMUP=${WARMUP:-20}
GATEWAY_JAVA_OPTS=${GATEWAY_JAVA_OPTS:--Xms128m -Xmx128m -XX:+UseSerialGC -Xss512k}
gw_port=18080
fast_port=18090
latency_port=18091
redis_port=${REDIS_PORT:-18379}
run_dir=$bench/results/redis-$(date -u +%Y%m%d-%H%M%S)
mkdir -p "$run_dir"
log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" | tee -a "$run_dir/run.log" >&2; }

# prepare, start_gateway, stop_gateway and point (wrk at $CONC against the chat endpoint)
# shellcheck source=scripts/bench/gateway.sh
source "$bench/gateway.sh"
prepare redis-server
/usr/bin/redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no \
    --dir "$run_dir" --loglevel warning > "$run_dir/redis.log" 2>&1 &
pids+=("$!")
sleep 0.5

# Both: the benchmark's configuration, a database each, a price for the fake model, a ledger as
# config.yml has it. "shared" adds cluster.redis.
for name in local shared; do
    cp "$bench/switchboard-bench.yml" "$run_dir/$name.yml"
    cat >> "$run_dir/$name.yml" <<YAML

database:
  url: jdbc:sqlite:$run_dir/$name.db
ledger:
  flushInterval: 200ms
pricing:
  overrides:
    "fast/*": {input: "2.50", output: "10.00", cachedRead: "1.25"}
YAML
done
cat >> "$run_dir/shared.yml" <<YAML
cluster:
  redis:
    uri: redis://127.0.0.1:$redis_port/0
    timeout: 50ms
    failurePolicy: open
YAML

declare -A secrets
for repeat in $(seq 1 "$REPEATS"); do
    for name in local shared; do
        start_gateway "$name"
        if [[ -z ${secrets[$name]:-} ]]; then
            # Limits far above the load, so every request runs the whole script and none is refused.
            secrets[$name]=$(curl -sf -H 'Content-Type: application/json' -d '{"name":"bench","budget_usd":"1000000",
                "budget_period":"monthly","rpm":100000000,"tpm":2000000000}' \
                "http://127.0.0.1:$((gw_port + 1))/api/keys" | sed 's/.*"key":"\([^"]*\)".*/\1/')
        fi
        point "warmup-$name" "$WARMUP" "${secrets[$name]}" > /dev/null
        point "$name" "$DURATION" "${secrets[$name]}" | tee -a "$run_dir/results.txt"
        if [[ $name == shared ]]; then
            curl -sf "http://127.0.0.1:$((gw_port + 1))/metrics/prometheus" \
                | grep -E "^switchboard_redis_(command_seconds_(count|sum|bucket)|fallbacks_total|errors_total)" \
                | tee -a "$run_dir/redis-metrics-$repeat.txt" >&2 || true
        fi
        stop_gateway
    done
done

awk '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "rps") rps[$1] = rps[$1] " " kv[2];
       if (kv[1] == "p50") p50[$1] = p50[$1] " " kv[2]; if (kv[1] == "p99") p99[$1] = p99[$1] " " kv[2] } }
     END { for (k in rps) printf "%-8s rps:%s   p50_us:%s   p99_us:%s\n", k, rps[k], p50[k], p99[k] }' \
    "$run_dir/results.txt" | tee "$run_dir/summary.txt"
