#!/usr/bin/env bash
# End-to-end browser tests of dvc-portal.
#
#   bash .ci/e2e.sh [path/to/dvc-portal]      (default: target/debug/dvc-portal)
#
# Builds nothing: build the server first (cargo build). This script
#   1. installs Debian's chromium with apt if /usr/bin/chromium is missing,
#   2. runs `npm ci` in tests/e2e when node_modules is absent or stale,
#   3. starts the SMTP sink (tests/e2e/smtp-sink.js) on free loopback ports, then
#      `dvc-portal serve --demo` on a free 127.0.0.1 port with a throwaway SQLite database
#      and data dir, DVC_SMTP_URL pointing at the sink and DVC_BASE_URL at the server (so
#      links in mail lead back to it); logs in tests/e2e/artifacts/{server,smtp-sink}.log,
#      every message received in tests/e2e/artifacts/mail/; the demo's payment simulator
#      (paygov-sim, in the server's process) on another free port (DVC_PAYGOV_SIM_BIND),
#   4. waits for GET /healthz → 200 (E2E_STARTUP_TIMEOUT seconds, default 120),
#   5. runs every tests/e2e/*.journey.js with BASE_URL, SMTP_SINK_URL (the sink's HTTP
#      side: GET /messages) and PAYGOV_SIM_URL (the simulator) set (node tests/e2e/run.js),
#   6. stops the server and the sink, and exits non-zero if any journey test failed.
# The last line printed is the test count: `N passed, M failed`.
# Screenshots, downloaded forms and the server log stay in tests/e2e/artifacts/.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
E2E_DIR="$ROOT/tests/e2e"
ARTIFACTS="$E2E_DIR/artifacts"
STARTUP_TIMEOUT="${E2E_STARTUP_TIMEOUT:-120}"

say() { echo "e2e: $*"; }
die() { echo "e2e: ERROR: $*" >&2; exit 1; }

BIN="${1:-target/debug/dvc-portal}"
case "$BIN" in /*) ;; *) BIN="$ROOT/$BIN" ;; esac
[ -f "$BIN" ] || die "server binary $BIN not found (build it first, e.g. cargo build)"
[ -x "$BIN" ] || die "server binary $BIN is not executable"

# ---- 1. Chromium (Debian's package; test tools never download a browser) ----
if [ ! -x /usr/bin/chromium ]; then
  say "/usr/bin/chromium is missing: installing Debian's chromium package with apt-get (takes a minute or two)"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || die "not root and no sudo: install chromium by hand (apt-get install -y chromium)"
    SUDO="sudo"
  fi
  t0=$SECONDS
  $SUDO apt-get update -q >/dev/null
  # fonts-dejavu-core covers Vietnamese diacritics in screenshots.
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q chromium fonts-dejavu-core >/dev/null
  [ -x /usr/bin/chromium ] || die "apt-get installed chromium but /usr/bin/chromium is still missing"
  say "installed $(/usr/bin/chromium --version 2>/dev/null || echo chromium) in $((SECONDS - t0)) s"
fi

# ---- 2. npm dependencies (playwright-core, axe-core), pinned by package-lock.json ----
command -v node >/dev/null || die "node is not installed (Node >= 20 is needed)"
command -v npm >/dev/null || die "npm is not installed"
LOCK_HASH="$(sha256sum "$E2E_DIR/package-lock.json" | cut -d' ' -f1)"
STAMP="$E2E_DIR/node_modules/.e2e-lock-sha256"
if [ ! -d "$E2E_DIR/node_modules" ] || [ "$(cat "$STAMP" 2>/dev/null || true)" != "$LOCK_HASH" ]; then
  say "npm ci in tests/e2e (node_modules absent or older than package-lock.json)"
  (cd "$E2E_DIR" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$LOCK_HASH" > "$STAMP"
fi

# ---- 3. start the server ----
rm -rf "$ARTIFACTS"
mkdir -p "$ARTIFACTS"
LOG="$ARTIFACTS/server.log"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/dvc-e2e.XXXXXX")"
SERVER_PID=""
SINK_PID=""

# The server runs in its own process group (setsid), so signalling -PID also
# reaches anything it spawned, and nothing else.
signal_server() {
  kill "-$1" -- "-$SERVER_PID" 2>/dev/null || kill "-$1" "$SERVER_PID" 2>/dev/null || true
}
stop_server() {
  if [ -n "$SERVER_PID" ]; then
    if kill -0 "$SERVER_PID" 2>/dev/null; then
      signal_server TERM
      for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
      if kill -0 "$SERVER_PID" 2>/dev/null; then
        echo "e2e: server $SERVER_PID ignored SIGTERM for 10 s, sending SIGKILL" >&2
      fi
    fi
    signal_server KILL   # whatever is left of its process group
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}
stop_sink() {
  if [ -n "$SINK_PID" ]; then
    kill -TERM "$SINK_PID" 2>/dev/null || true
    for _ in $(seq 1 25); do kill -0 "$SINK_PID" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$SINK_PID" 2>/dev/null || true
    wait "$SINK_PID" 2>/dev/null || true
  fi
  SINK_PID=""
}
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
  stop_server
  stop_sink
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log_tail() {
  echo "----- last 60 lines of $LOG -----" >&2
  tail -n 60 "$LOG" >&2 || true
  echo "----- end of server log -----" >&2
}

# ---- 3a. the SMTP sink: it binds port 0 itself (no race) and writes its ports to a file ----
SINK_LOG="$ARTIFACTS/smtp-sink.log"
SINK_INFO="$TMP/smtp-sink.json"
node "$E2E_DIR/smtp-sink.js" --ready-file "$SINK_INFO" --save-dir "$ARTIFACTS/mail" >"$SINK_LOG" 2>&1 </dev/null &
SINK_PID=$!
for _ in $(seq 1 100); do
  [ -s "$SINK_INFO" ] && break
  kill -0 "$SINK_PID" 2>/dev/null || { cat "$SINK_LOG" >&2; die "the SMTP sink exited before it was ready"; }
  sleep 0.1
done
[ -s "$SINK_INFO" ] || { cat "$SINK_LOG" >&2; die "the SMTP sink was not ready within 10 s"; }
SMTP_PORT="$(node -p 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).smtpPort' "$SINK_INFO")"
SMTP_SINK_URL="$(node -p 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).httpUrl' "$SINK_INFO")"
say "SMTP sink on smtp://127.0.0.1:$SMTP_PORT, messages at $SMTP_SINK_URL/messages (pid $SINK_PID)"

# ---- 3b. the server ----
# A free port: bind port 0 on loopback, read what the kernel gave, release it.
free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();});'
}
PORT="$(free_port)"
BASE_URL="http://127.0.0.1:$PORT"
# `serve --demo` starts paygov-sim, the simulated payment gateway, inside the server and
# points the portal at it; its default port 8090 may be taken (or be another run's), so it gets
# a free one too. DVC_PAYGOV_URL is emptied: a gateway set in the environment would replace it.
SIM_PORT="$(free_port)"
while [ "$SIM_PORT" = "$PORT" ]; do SIM_PORT="$(free_port)"; done
PAYGOV_SIM_URL="http://127.0.0.1:$SIM_PORT"
# portal-sim, the simulated national portal the demo syncs every step to, likewise.
PORTAL_SIM_PORT="$(free_port)"
while [ "$PORTAL_SIM_PORT" = "$PORT" ] || [ "$PORTAL_SIM_PORT" = "$SIM_PORT" ]; do PORTAL_SIM_PORT="$(free_port)"; done
PORTAL_SIM_URL="http://127.0.0.1:$PORTAL_SIM_PORT"

say "starting $BIN serve --demo on $BASE_URL, paygov-sim on $PAYGOV_SIM_URL (data in $TMP, log in ${LOG#"$ROOT"/})"
SETSID=""
command -v setsid >/dev/null && SETSID="setsid"
DATABASE_URL="sqlite://$TMP/portal.db" DVC_DATA_DIR="$TMP/data" BIND="127.0.0.1:$PORT" \
  DVC_SMTP_URL="smtp://127.0.0.1:$SMTP_PORT" DVC_BASE_URL="$BASE_URL" \
  DVC_PAYGOV_URL="" DVC_PAYGOV_SIM_BIND="127.0.0.1:$SIM_PORT" \
  DVC_PORTAL_URL="" DVC_PORTAL_SIM_BIND="127.0.0.1:$PORTAL_SIM_PORT" \
  $SETSID "$BIN" serve --demo >"$LOG" 2>&1 </dev/null &
SERVER_PID=$!

# ---- 4. wait for /healthz ----
healthy() {
  node -e '
    const req = require("http").get(process.argv[1], { timeout: 2000 }, (res) => {
      res.resume(); process.exit(res.statusCode === 200 ? 0 : 1);
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", () => process.exit(1));
  ' "$BASE_URL/healthz"
}
t0=$SECONDS
until healthy; do
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    rc=0; wait "$SERVER_PID" || rc=$?
    signal_server KILL
    SERVER_PID=""
    log_tail
    die "the server exited (status $rc) before GET /healthz answered 200"
  fi
  if [ $((SECONDS - t0)) -ge "$STARTUP_TIMEOUT" ]; then
    log_tail
    die "GET $BASE_URL/healthz did not answer 200 within $STARTUP_TIMEOUT s"
  fi
  sleep 0.5
done
say "server healthy after $((SECONDS - t0)) s (pid $SERVER_PID)"

# ---- 5. journeys ----
OUT="$ARTIFACTS/e2e-output.txt"
set +e
BASE_URL="$BASE_URL" SMTP_SINK_URL="$SMTP_SINK_URL" PAYGOV_SIM_URL="$PAYGOV_SIM_URL" PORTAL_SIM_URL="$PORTAL_SIM_URL" \
  node "$E2E_DIR/run.js" 2>&1 | tee "$OUT"
rc=${PIPESTATUS[0]}
set -e

# ---- 6. stop the server; the count line goes last ----
if ! kill -0 "$SERVER_PID" 2>/dev/null; then
  echo "e2e: the server died during the tests" >&2
  log_tail
  rc=1
fi
if ! kill -0 "$SINK_PID" 2>/dev/null; then
  echo "e2e: the SMTP sink died during the tests" >&2
  tail -n 30 "$SINK_LOG" >&2 || true
  rc=1
fi
stop_server
stop_sink
if [ "$rc" -ne 0 ]; then
  say "FAILED (exit $rc); screenshots and server log in ${ARTIFACTS#"$ROOT"/}/"
  grep -qiE 'panic|error' "$LOG" && log_tail
fi
SUMMARY="$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$OUT" | tail -n 1 || true)"
if [ -z "$SUMMARY" ]; then
  SUMMARY="0 passed, 1 failed"
  rc=1
fi
echo "$SUMMARY"
exit "$rc"
