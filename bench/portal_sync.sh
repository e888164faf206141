#!/usr/bin/env bash
# National-portal sync benchmark: a backlog of history rows (`seed-load`, then `portal-backfill`
# queues one `portal_sync` outbox row per row, ~100,000 by default) drained to portal-sim over
# real HTTP by one and then two standalone workers, on SQLite and on PostgreSQL; the staff
# dossier page measured with wrk (64 connections) while idle and while the backlog drains.
#
#   bash bench/portal_sync.sh                         # both backends, ~100,000 events
#   BACKENDS=sqlite DOSSIERS=5000 bash bench/portal_sync.sh
#
# Each run resets the rows to pending and starts a fresh portal-sim, so every run sends the same
# backlog to an empty portal; the portal's counters at the end prove one effect per step.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
DOSSIERS="${DOSSIERS:-28000}"
BACKENDS="${BACKENDS:-sqlite postgres}"
PG="${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/test}"
DURATION="${DURATION:-10s}"
DESK="${DESK:-stc.motcua}"
PASSWORD="CanBo@2026"

if ! command -v wrk >/dev/null; then
  echo "bench: installing wrk (Debian package)"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
cargo build --release --quiet --bin dvc-portal
BIN=target/release/dvc-portal
mkdir -p bench/results
OUT="bench/results/portal-sync-$(date -u +%Y%m%dT%H%M%SZ).txt"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

sql() { # $1 = DATABASE_URL, $2 = statement; prints the first column of the first row
  if [[ "$1" == sqlite://* ]]; then
    python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1], timeout=30); r=c.execute(sys.argv[2]).fetchone(); c.commit(); print(r[0] if r else "")' "${1#sqlite://}" "$2"
  else
    psql "$1" -Atqc "$2" | head -1
  fi
}

sign_in() { # $1 = login; prints the Cookie header of a signed-in session
  local jar token
  jar="$(mktemp)"
  token="$(curl -fs -c "$jar" -b "$jar" "http://127.0.0.1:$PORT/can-bo/dang-nhap" \
    | grep -o 'name="csrf_token" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')"
  curl -fs -o /dev/null -c "$jar" -b "$jar" --data-urlencode "csrf_token=$token" \
    --data-urlencode "login=$1" --data-urlencode "password=$PASSWORD" "http://127.0.0.1:$PORT/can-bo/dang-nhap"
  awk '$6 ~ /^dvc_/ { printf "%s%s=%s", sep, $6, $7; sep="; " }' "$jar"
  rm -f "$jar"
}

page_p99() { # $1 = label; wrk on the staff dossier page
  echo "### dossier page, $1"
  wrk -t2 -c64 -d"$DURATION" --latency -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT/can-bo/ho-so/$CODE" \
    | grep -E "Requests/sec|  50%|  99%|Non-2xx"
}

drain() { # $1 = DATABASE_URL, $2 = workers
  local sim_port sim_pid pids=() t0 t1 pending events
  sql "$1" "UPDATE outbox SET status = 'pending', attempts = 0, sent_at = NULL, last_error = NULL, lease_owner = NULL, lease_until = NULL, next_attempt_at = created_at WHERE kind = 'portal_sync'" >/dev/null
  events="$(sql "$1" "SELECT COUNT(*) FROM outbox WHERE kind = 'portal_sync'")"
  sim_port="$(free_port)"
  "$BIN" portal-sim --bind "127.0.0.1:$sim_port" >"$TMP/sim.log" 2>&1 &
  sim_pid=$!
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$sim_port/sim/store" >/dev/null 2>&1 && break; sleep 0.1; done
  echo "## $2 worker(s), $events events"
  t0="$(date +%s.%N)"
  for _ in $(seq 1 "$2"); do
    DVC_PORTAL_URL="http://127.0.0.1:$sim_port" "$BIN" worker >>"$TMP/worker.log" 2>&1 &
    pids+=($!)
  done
  if [ "$2" = 1 ]; then sleep 2; page_p99 "while 1 worker drains"; fi
  while :; do
    pending="$(sql "$1" "SELECT COUNT(*) FROM outbox WHERE kind = 'portal_sync' AND status <> 'sent'")"
    [ "$pending" = 0 ] && break
    sleep 0.25
  done
  t1="$(date +%s.%N)"
  kill "${pids[@]}"; wait "${pids[@]}" 2>/dev/null || true
  python3 -c 'import sys; e=int(sys.argv[1]); s=float(sys.argv[3])-float(sys.argv[2]); print(f"drained {e} events in {s:.1f} s: {e/s:.0f} events/s")' "$events" "$t0" "$t1"
  curl -fs "http://127.0.0.1:$sim_port/sim/store" | python3 -c '
import json, sys
s = json.load(sys.stdin); c = s["counters"]; d = s["dossiers"]
entries = sum(len(h["progress"]) for h in d.values())
print("portal holds %d dossiers, %d progress entries; accepted %d, duplicates %d, rejected %d, logins %d"
      % (len(d), entries, c["accepted"], c["duplicates"], c["rejected"], c["logins"]))'
  kill "$sim_pid"; wait "$sim_pid" 2>/dev/null || true
}

run() { # $1 = label, $2 = DATABASE_URL
  TMP="$(mktemp -d)"
  PORT="$(free_port)"
  export DATABASE_URL="$2" DVC_DATA_DIR="$TMP/data" BIND="127.0.0.1:$PORT" RUST_LOG=warn \
    DVC_SECURE_COOKIES=false DVC_RUN_WORKER=false DVC_BASE_URL="http://127.0.0.1:$PORT"
  echo "# $1"
  "$BIN" seed-demo >/dev/null
  "$BIN" seed-load --dossiers "$DOSSIERS" --until 2026-11-30 | grep -v '^seed-load: .* / '
  "$BIN" portal-backfill
  "$BIN" serve >"$TMP/server.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
  COOKIE="$(sign_in "$DESK")"
  CODE="$(curl -fs -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT/can-bo?hang=da-xong" | grep -o '/can-bo/ho-so/[^"/?]*' | head -1 | sed 's#/can-bo/ho-so/##')"
  wrk -t2 -c64 -d2s -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT/can-bo/ho-so/$CODE" >/dev/null
  page_p99 "idle"
  drain "$2" 1
  drain "$2" 2
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$TMP"
}

{
  echo "# $(date -u) $(nproc) cores; rustc $(rustc --version | cut -d' ' -f2); $DOSSIERS dossiers"
  for backend in $BACKENDS; do
    case "$backend" in
      sqlite)
        tmpdb="$(mktemp -d)"
        run "SQLite" "sqlite://$tmpdb/portal.db"
        rm -rf "$tmpdb"
        ;;
      postgres)
        schema="bench_ps_$(date +%s)"
        psql "$PG" -qc "CREATE SCHEMA $schema" >/dev/null
        run "PostgreSQL" "$PG?options=-c%20search_path%3D$schema"
        psql "$PG" -qc "DROP SCHEMA $schema CASCADE" >/dev/null 2>&1
        ;;
    esac
  done
} | tee "$OUT"
echo "bench: written to $OUT"
