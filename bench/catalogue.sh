#!/usr/bin/env bash
# Catalogue benchmark: release build, SQLite with the demo data, wrk at 64 connections on
# loopback against /healthz (the baseline of this machine in this run), the search page and a
# procedure page; then the server's resident memory.
#
#   bash bench/catalogue.sh            # 10 s per URL
#   DURATION=30s bash bench/catalogue.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-64}"
THREADS="${THREADS:-2}"

if ! command -v wrk >/dev/null; then
  echo "bench: installing wrk (Debian package)"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
cargo build --release --quiet
BIN=target/release/dvc-portal
TMP="$(mktemp -d)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
export DATABASE_URL="sqlite://$TMP/portal.db" DVC_DATA_DIR="$TMP/data" BIND="127.0.0.1:$PORT" RUST_LOG=warn
"$BIN" seed-demo >/dev/null
"$BIN" serve >"$TMP/server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; rm -rf "$TMP"' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done

mkdir -p bench/results
OUT="bench/results/catalogue-$(date -u +%Y%m%dT%H%M%SZ).txt"
{
  echo "# $(date -u) $(nproc) cores, $CONNECTIONS connections, $THREADS wrk threads, $DURATION per URL"
  echo "# rustc $(rustc --version | cut -d' ' -f2), $(uname -r)"
  for path in /healthz "/thu-tuc?q=dang+ky" /thu-tuc/1.001193 "/thu-tuc?q=ket+hon&cap=xa" /; do
    # Warm up, then measure.
    wrk -t"$THREADS" -c"$CONNECTIONS" -d2s "http://127.0.0.1:$PORT$path" >/dev/null
    echo "## GET $path"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "http://127.0.0.1:$PORT$path" \
      | grep -E "Requests/sec|Latency |  50%|  90%|  99%|Non-2xx|Socket errors|requests in"
  done
  echo "## server memory"
  grep -E "VmRSS|VmHWM" "/proc/$PID/status"
} | tee "$OUT"
echo "bench: written to $OUT"
