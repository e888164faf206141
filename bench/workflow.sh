#!/usr/bin/env bash
# Workflow benchmark: a province-year of dossiers (`dvc-portal seed-load`, 1,000,000 by default)
# on SQLite and on PostgreSQL, then wrk at 64 connections against an officer's queue pages, the
# staff dossier page and the public tracking page; the load's time and peak memory, the
# server's memory at the end, and the query plans of the queue queries.
#
#   bash bench/workflow.sh                          # both backends, 1,000,000 dossiers, 20 s per URL
#   BACKENDS=sqlite DOSSIERS=100000 DURATION=10s bash bench/workflow.sh
#   KEEP=1 bash bench/workflow.sh                   # keep the databases (path / schema printed)
#
# PostgreSQL: the local `test` database (BENCH_PG_URL), in a schema of its own that is dropped at
# the end; the test suite's schemas are not touched.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
DURATION="${DURATION:-20s}"
CONNECTIONS="${CONNECTIONS:-64}"
THREADS="${THREADS:-2}"
DOSSIERS="${DOSSIERS:-1000000}"
BACKENDS="${BACKENDS:-sqlite postgres}"
PG="${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/test}"
# The busy desk of the benchmark: Sở Tài chính (business registration), and a ward's desk.
DESK="${DESK:-stc.motcua}"
BUSY_AGENCY="${BUSY_AGENCY:-000.00.02.H56}"
WARD_DESK="${WARD_DESK:-xa1.motcua}"
PASSWORD="CanBo@2026"

if ! command -v wrk >/dev/null; then
  echo "bench: installing wrk (Debian package)"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
cargo build --release --quiet --bin dvc-portal
BIN=target/release/dvc-portal
mkdir -p bench/results
OUT="bench/results/workflow-$(date -u +%Y%m%dT%H%M%SZ).txt"

# The year ends yesterday when the benchmark runs in 2026, so that the open dossiers are
# current for the server's clock (due soon, overdue); otherwise the whole of 2026.
UNTIL_ARGS=()
if [ "$(date +%Y)" = "2026" ] && [ "$(date +%m%d)" != "0101" ]; then
  UNTIL_ARGS=(--until "$(date -d yesterday +%F)")
fi

measure() { # $1 = label, $2 = path, $3 = cookie header (or empty)
  local args=(-t"$THREADS" -c"$CONNECTIONS" --latency)
  [ -n "$3" ] && args+=(-H "Cookie: $3")
  wrk "${args[@]}" -d2s "http://127.0.0.1:$PORT$2" >/dev/null
  echo "## $1: GET $2"
  wrk "${args[@]}" -d"$DURATION" "http://127.0.0.1:$PORT$2" \
    | grep -E "Requests/sec|Latency |  50%|  90%|  99%|Non-2xx|Socket errors|requests in"
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

first_code() { # $1 = cookie, $2 = queue query; the first dossier code listed
  curl -fs -H "Cookie: $1" "http://127.0.0.1:$PORT/can-bo?$2" | grep -o '/can-bo/ho-so/[^"/?]*' | head -1 \
    | sed 's#/can-bo/ho-so/##'
}

# The statements of the pages measured, as src/queries/officer.rs and the models write them
# (diesel binds parameters; here they are inlined), for the busy desk's agency.
plan_sql() { # $1 = agency id, $2 = now (UTC), $3 = one working day later, $4 = a dossier code
  local scope="(agency_id = '$1' OR handler_agency_id = '$1')"
  local done="agency_id = '$1' AND finished_at IS NOT NULL AND status <> 9"
  cat <<SQL
capped count, new online|SELECT COUNT(*) FROM (SELECT status FROM dossiers WHERE $scope AND status = 1 LIMIT 1001) AS c
capped count, mine (one-stop)|SELECT COUNT(*) FROM (SELECT status FROM dossiers WHERE $scope AND (handler_agency_id = '$1' AND status IN (1, 2, 4, 9) AND handler_step IN ('mot_cua', 'tra_ket_qua')) LIMIT 1001) AS c
capped count, due soon|SELECT COUNT(*) FROM (SELECT status FROM dossiers WHERE $scope AND status IN (2, 4) AND due_at > '$2' AND due_at <= '$3' LIMIT 1001) AS c
capped count, overdue|SELECT COUNT(*) FROM (SELECT status FROM dossiers WHERE $scope AND status IN (2, 4) AND due_at < '$2' LIMIT 1001) AS c
capped count, finished|SELECT COUNT(*) FROM (SELECT status FROM dossiers WHERE $done LIMIT 1001) AS c
page, overdue by due date|SELECT * FROM dossiers WHERE $scope AND status IN (2, 4) AND due_at < '$2' ORDER BY due_at IS NULL, due_at ASC, submitted_at ASC, code ASC LIMIT 20 OFFSET 0
page 50, finished, latest first|SELECT * FROM dossiers WHERE $done ORDER BY finished_at DESC, code DESC LIMIT 20 OFFSET 980
search in finished|SELECT * FROM dossiers WHERE $done AND search_text LIKE '%nguyen thi hoa%' ESCAPE '\\' ORDER BY finished_at DESC, code DESC LIMIT 20 OFFSET 0
dossier by code|SELECT * FROM dossiers WHERE code = '$4' LIMIT 1
its history|SELECT * FROM dossier_events WHERE dossier_id = (SELECT id FROM dossiers WHERE code = '$4') ORDER BY seq
SQL
}

plans() { # $1 = label, $2 = DATABASE_URL, $3 = a dossier code; plans and times of plan_sql
  local now soon agency
  now="$(date -u '+%F %T')"
  soon="$(date -u -d '+1 day' '+%F %T')"
  if [ "$1" = "SQLite" ]; then
    agency="$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT id FROM agencies WHERE code = ?", (sys.argv[2],)).fetchone()[0])' "${2#sqlite://}" "$BUSY_AGENCY")"
    plan_sql "$agency" "$now" "$soon" "$3" | python3 -c '
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1])
for line in sys.stdin:
    label, sql = line.rstrip("\n").split("|", 1)
    start = time.perf_counter(); db.execute(sql).fetchall(); ms = (time.perf_counter() - start) * 1000
    print(f"### {label} ({ms:.1f} ms, one run)")
    print("    " + sql)
    for row in db.execute("EXPLAIN QUERY PLAN " + sql):
        print("    " + "  " * (0 if row[1] == 0 else 1) + row[3])
' "${2#sqlite://}"
  else
    agency="$(psql "$2" -Atc "SELECT id FROM agencies WHERE code = '$BUSY_AGENCY'")"
    plan_sql "$agency" "$now" "$soon" "$3" | while IFS='|' read -r label sql; do
      echo "### $label"
      echo "    $sql"
      psql "$2" -Atc "EXPLAIN (ANALYZE, COSTS OFF) $sql" | sed 's/^/    /'
    done
  fi
}

run() { # $1 = label, $2 = DATABASE_URL
  local tmp pid cookie ward code ward_code overdue
  tmp="$(mktemp -d)"
  PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  export DATABASE_URL="$2" DVC_DATA_DIR="$tmp/data" BIND="127.0.0.1:$PORT" RUST_LOG=warn \
    DVC_SECURE_COOKIES=false DVC_RUN_WORKER=false
  echo "# $1"
  "$BIN" seed-demo >/dev/null
  echo "## seed-load --dossiers $DOSSIERS ${UNTIL_ARGS[*]}"
  /usr/bin/time -v "$BIN" seed-load --dossiers "$DOSSIERS" "${UNTIL_ARGS[@]}" >"$tmp/load.txt" 2>"$tmp/time.txt"
  grep -v '^seed-load: .* / ' "$tmp/load.txt"
  grep -E "Elapsed|Maximum resident" "$tmp/time.txt"
  "$BIN" serve >"$tmp/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
  cookie="$(sign_in "$DESK")"
  ward="$(sign_in "$WARD_DESK")"
  code="$(first_code "$cookie" "hang=da-xong")"
  ward_code="$(first_code "$ward" "hang=da-xong")"
  overdue="$(first_code "$cookie" "hang=qua-han")"
  echo "## dossiers: $code (finished), $overdue (overdue), $ward_code (ward)"
  measure "queue, new online (default)" "/can-bo" "$cookie"
  measure "queue, overdue" "/can-bo?hang=qua-han" "$cookie"
  measure "queue, finished, page 50" "/can-bo?hang=da-xong&trang=50" "$cookie"
  measure "queue, finished, search by name" "/can-bo?hang=da-xong&q=nguyen+thi+hoa" "$cookie"
  measure "queue, ward desk, finished" "/can-bo?hang=da-xong" "$ward"
  measure "staff dossier page" "/can-bo/ho-so/$code" "$cookie"
  measure "staff dossier page (overdue)" "/can-bo/ho-so/$overdue" "$cookie"
  measure "public tracking" "/tra-cuu?ma=$code" ""
  measure "public tracking (ward)" "/tra-cuu?ma=$ward_code" ""
  echo "## server memory"
  grep -E "VmRSS|VmHWM" "/proc/$pid/status"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "## query plans (the desk's agency $BUSY_AGENCY)"
  plans "$1" "$2" "$code"
  if [ -n "${KEEP:-}" ]; then echo "## kept: $2 (data $tmp/data)"; else rm -rf "$tmp"; fi
}

{
  echo "# $(date -u) $(nproc) cores, $CONNECTIONS connections, $THREADS wrk threads, $DURATION per URL"
  echo "# rustc $(rustc --version | cut -d' ' -f2), $(uname -r), $DOSSIERS dossiers, queue counts reused ${DVC_QUEUE_COUNTS_TTL_SECONDS:-10} s"
  for backend in $BACKENDS; do
    case "$backend" in
      sqlite)
        tmpdb="$(mktemp -d)"
        run "SQLite" "sqlite://$tmpdb/portal.db"
        [ -n "${KEEP:-}" ] || rm -rf "$tmpdb"
        ;;
      postgres)
        schema="bench_wf_$(date +%s)"
        psql "$PG" -qc "CREATE SCHEMA $schema" >/dev/null
        run "PostgreSQL" "$PG?options=-c%20search_path%3D$schema"
        [ -n "${KEEP:-}" ] || psql "$PG" -qc "DROP SCHEMA $schema CASCADE" >/dev/null 2>&1
        ;;
    esac
  done
} | tee "$OUT"
echo "bench: written to $OUT"
