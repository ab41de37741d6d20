#!/usr/bin/env bash
# What the accounts cost: the same gateway with and without a virtual key, a budget and the usage
# ledger on SQLite, measured interleaved (without, with, without, with ...) with wrk at one
# concurrency against the fake upstream, so both see the same machine. Loopback only.
#
#   scripts/bench/accounts.sh            # REPEATS=3 DURATION=15 CONC=64 WARMUP=20
#
# Prints one line per point (with the gateway's CPU per request, cpu_us) and a summary; writes under scripts/bench/results/accounts-<time>/.
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
run_dir=$bench/results/accounts-$(date -u +%Y%m%d-%H%M%S)
mkdir -p "$run_dir"
log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" | tee -a "$run_dir/run.log" >&2; }

# prepare, start_gateway, stop_gateway and point (wrk at $CONC against the chat endpoint)
# shellcheck source=scripts/bench/gateway.sh
source "$bench/gateway.sh"
prepare
sleep 0.5

# The "with" configuration: the benchmark's, plus a database, a price for the fake model, and a
# ledger as config.yml has it.
cp "$bench/switchboard-bench.yml" "$run_dir/without.yml"
cp "$bench/switchboard-bench.yml" "$run_dir/with.yml"
cat >> "$run_dir/with.yml" <<YAML

database:
  url: jdbc:sqlite:$run_dir/accounts.db
ledger:
  flushInterval: 200ms
  batchSize: 500
  maxHeldRows: 50000
pricing:
  overrides:
    "fast/*": {input: "2.50", output: "10.00", cachedRead: "1.25"}
YAML


secret=
for repeat in $(seq 1 "$REPEATS"); do
    for name in without with; do
        start_gateway "$name"
        auth=
        if [[ $name == with ]]; then
            if [[ -z $secret ]]; then
                secret=$(curl -sf -H 'Content-Type: application/json' -d '{"name":"bench","budget_usd":"1000000",
                    "budget_period":"monthly","rpm":100000000,"tpm":2000000000}' \
                    "http://127.0.0.1:$((gw_port + 1))/api/keys" | sed 's/.*"key":"\([^"]*\)".*/\1/')
            fi
            auth=$secret
        fi
        point "warmup-$name" "$WARMUP" "$auth" > /dev/null
        # The gateway's own CPU (user + sys) per request over the measured point: the goal is
        # stated in CPU, which the load generator and nginx on the same cores do not blur.
        ticks_before=$(cpu_ticks "$gw_pid")
        result=$(point "$name" "$DURATION" "$auth")
        ticks=$(($(cpu_ticks "$gw_pid") - ticks_before))
        requests=$(sed -n 's/.* requests=\([0-9]*\).*/\1/p' <<< "$result")
        echo "$result cpu_us=$((ticks * 1000000 / $(getconf CLK_TCK) / (requests > 0 ? requests : 1)))" \
            | tee -a "$run_dir/results.txt"
        if [[ $name == with ]]; then
            sleep 0.5
            rows=$(curl -sf "http://127.0.0.1:$((gw_port + 1))/api/usage?group_by=provider" | grep -o '"requests":[0-9]*' | head -1)
            log "ledger after repeat $repeat: $rows"
        fi
        stop_gateway
    done
done

awk '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "rps") rps[$1] = rps[$1] " " kv[2]; if (kv[1] == "p50") p50[$1] = p50[$1] " " kv[2]; if (kv[1] == "cpu_us") cpu[$1] = cpu[$1] " " kv[2] } }
     END { for (k in rps) printf "%-8s rps:%s   p50_us:%s   cpu_us_per_request:%s\n", k, rps[k], p50[k], cpu[k] }' "$run_dir/results.txt" | tee "$run_dir/summary.txt"
