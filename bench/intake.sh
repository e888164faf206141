#!/usr/bin/env bash
# Intake benchmark: sign-ins per second and online submissions per second (a 200 KB PDF per
# dossier) at 32 concurrent citizens, on SQLite and on PostgreSQL; server RSS at the end.
#
#   bash bench/intake.sh                 # 20 s of submissions per backend
#   SECONDS_PER_RUN=60 CITIZENS=32 bash bench/intake.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
RUN_SECONDS="${SECONDS_PER_RUN:-20}"
CITIZENS="${CITIZENS:-32}"
PG="${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/test}"
cargo build --release --quiet --bin dvc-portal --example intake-load
BIN=target/release/dvc-portal
mkdir -p bench/results
OUT="bench/results/intake-$(date -u +%Y%m%dT%H%M%SZ).txt"

run() { # $1 = label, $2 = DATABASE_URL
  local tmp port pid
  tmp="$(mktemp -d)"
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  export DATABASE_URL="$2" DVC_DATA_DIR="$tmp/data" BIND="127.0.0.1:$port" RUST_LOG=warn DVC_SECURE_COOKIES=false
  "$BIN" seed-demo >/dev/null
  "$BIN" serve >"$tmp/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  echo "## $1"
  target/release/examples/intake-load "http://127.0.0.1:$port" "$2" "$CITIZENS" "$RUN_SECONDS" 200
  grep -E "VmRSS|VmHWM" "/proc/$pid/status"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$tmp"
}

{
  echo "# $(date -u) $(nproc) cores, $CITIZENS citizens, ${RUN_SECONDS} s of submissions, argon2id m=19456 KiB t=2 p=1"
  tmpdb="$(mktemp -d)"
  run "SQLite" "sqlite://$tmpdb/portal.db"
  rm -rf "$tmpdb"
  schema="bench_$(date +%s)"
  psql "$PG" -qc "CREATE SCHEMA $schema" >/dev/null
  run "PostgreSQL" "$PG?options=-c%20search_path%3D$schema"
  psql "$PG" -qc "DROP SCHEMA $schema CASCADE" >/dev/null 2>&1
} | tee "$OUT"
echo "bench: written to $OUT"
