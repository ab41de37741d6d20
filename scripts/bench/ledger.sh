#!/usr/bin/env bash
# The usage ledger's throughput: rows/s the ledger writer puts into SQLite and into PostgreSQL
# (LedgerThroughput in the benchmarks module). A measurement, not a test; about a minute.
#
#   scripts/bench/ledger.sh
#
# Builds benchmarks/target/benchmarks.jar (-Pbench), starts a throwaway PostgreSQL server from the
# machine's binaries (/usr/lib/postgresql/*/bin, as the postgres user when run as root) with its
# default durability settings on 127.0.0.1:$PGPORT, runs the measurement against an SQLite file
# and that server, then stops the server and deletes its files.
#
# Settings (environment): ROWS=500000 PRODUCERS=4 BATCH=500 INTERVAL_MS=200 PGPORT=55439
#   SKIP_BUILD=1 (reuse the jar)  POSTGRES_URL=jdbc:postgresql://... (use that server instead)
set -euo pipefail

cd "$(dirname "$0")/../.."
ROWS=${ROWS:-500000}
PRODUCERS=${PRODUCERS:-4}
BATCH=${BATCH:-500}
INTERVAL_MS=${INTERVAL_MS:-200}
PGPORT=${PGPORT:-55439}

if [[ -z ${SKIP_BUILD:-} ]]; then
  mvn -B -q -Pbench -DskipTests package
fi
jar=$PWD/benchmarks/target/benchmarks.jar

work=$(mktemp -d /tmp/switchboard-ledger-bench.XXXXXX)
as_pg=()
started=
cleanup() {
  if [[ -n $started ]]; then
    "${as_pg[@]}" "$bin/pg_ctl" -D "$work/pg" -m fast -w stop >/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

url=${POSTGRES_URL:-}
if [[ -z $url ]]; then
  initdb=$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -1)
  if [[ -z $initdb ]]; then
    echo "no PostgreSQL server binaries under /usr/lib/postgresql (apt-get install postgresql)" >&2
    exit 1
  fi
  bin=$(dirname "$initdb")
  if [[ $(id -u) == 0 ]]; then
    chown postgres: "$work"
    as_pg=(runuser -u postgres --)
  fi
  "${as_pg[@]}" "$bin/initdb" -D "$work/pg" -U postgres -A trust -E UTF8 --locale=C --no-instructions >/dev/null
  "${as_pg[@]}" "$bin/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w \
    -o "-p $PGPORT -k $work -c listen_addresses=127.0.0.1" start >/dev/null
  started=1
  url="jdbc:postgresql://127.0.0.1:$PGPORT/postgres?user=postgres"
fi

java -Xmx512m -cp "$jar" io.switchboard.usage.LedgerThroughput --rows "$ROWS" --producers "$PRODUCERS" \
  --batch "$BATCH" --interval-ms "$INTERVAL_MS" "jdbc:sqlite:$work/ledger.db" "$url" 2> "$work/java.log" \
  || { cat "$work/java.log" >&2; exit 1; }
