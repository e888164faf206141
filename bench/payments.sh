#!/usr/bin/env bash
# Payment callback benchmark (issue 6): the gateway's CONFIRM callbacks per second, signature
# checked, on SQLite and on PostgreSQL, then a storm of 1,000 identical callbacks that must make
# exactly one payment; the server's memory at the end. The load is `bench/payments_load.rs`.
#
#   bash bench/payments.sh                               # both backends, 20,000 callbacks each
#   BACKENDS=sqlite CALLBACKS=50000 SECONDS_PER_RUN=60 bash bench/payments.sh
#
# PostgreSQL: the local `test` database (BENCH_PG_URL), in a schema of its own that is dropped at
# the end. The server never calls the gateway here (no worker: the receipt jobs stay queued, and
# the load counts them); DVC_PAYGOV_URL only switches online payment on.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
CALLBACKS="${CALLBACKS:-20000}"
RUN_SECONDS="${SECONDS_PER_RUN:-60}"
CONNECTIONS="${CONNECTIONS:-64}"
STORM="${STORM:-1000}"
STORM_CONCURRENCY="${STORM_CONCURRENCY:-256}"
BACKENDS="${BACKENDS:-sqlite postgres}"
PG="${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/test}"
KEY="bench-paygov-key-$(date +%s)"
PARTNER="TH-DVC-BENCH"
cargo build --release --quiet --bin dvc-portal --example payments-load
BIN=target/release/dvc-portal
mkdir -p bench/results
OUT="bench/results/payments-$(date -u +%Y%m%dT%H%M%SZ).txt"
STATUS=0

run() { # $1 = label, $2 = DATABASE_URL
  local tmp port pid rc
  tmp="$(mktemp -d)"
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  export DATABASE_URL="$2" DVC_DATA_DIR="$tmp/data" BIND="127.0.0.1:$port" RUST_LOG=warn \
    DVC_SECURE_COOKIES=false DVC_RUN_WORKER=false \
    DVC_PAYGOV_URL="http://127.0.0.1:9" DVC_PAYGOV_SECRET="$KEY" DVC_PAYGOV_PARTNER="$PARTNER"
  echo "## $1"
  "$BIN" seed-demo >/dev/null
  "$BIN" serve >"$tmp/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  rc=0
  target/release/examples/payments-load "http://127.0.0.1:$port" "$2" "$KEY" "$PARTNER" \
    "$CALLBACKS" "$RUN_SECONDS" "$CONNECTIONS" "$STORM" "$STORM_CONCURRENCY" "$pid" || rc=$?
  echo "## server memory"
  grep -E "VmRSS|VmHWM" "/proc/$pid/status"
  if grep -qE "ERROR|panicked" "$tmp/server.log"; then
    echo "## server log (errors)"
    grep -E "ERROR|panicked" "$tmp/server.log" | head -20
  fi
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$tmp"
  return "$rc"
}

{
  echo "# $(date -u) $(nproc) cores, rustc $(rustc --version | cut -d' ' -f2), $(uname -r)"
  echo "# commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'), pool ${DVC_DB_POOL_SIZE:-default}; $CALLBACKS callbacks (at most ${RUN_SECONDS} s) from $CONNECTIONS connections; storm of $STORM, $STORM_CONCURRENCY in flight"
  for backend in $BACKENDS; do
    case "$backend" in
      sqlite)
        tmpdb="$(mktemp -d)"
        run "SQLite" "sqlite://$tmpdb/portal.db" || STATUS=1
        rm -rf "$tmpdb"
        ;;
      postgres)
        schema="bench_pay_$(date +%s)"
        psql "$PG" -qc "CREATE SCHEMA $schema" >/dev/null
        run "PostgreSQL" "$PG?options=-c%20search_path%3D$schema" || STATUS=1
        psql "$PG" -qc "DROP SCHEMA $schema CASCADE" >/dev/null 2>&1
        ;;
    esac
  done
  echo "# status $STATUS"
} | tee "$OUT"
echo "bench: written to $OUT"
grep -q "^# status 0" "$OUT"
