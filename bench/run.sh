#!/usr/bin/env bash
# make bench: the app vs the raw-psycopg floor vs Datasette at a million figures.
# Needs: the app's venv (make install), PostgreSQL on 127.0.0.1:5432, wrk (apt-get install wrk).
# Settings (environment): see bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
VENV=bench/.venv

if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "bench: installing wrk (Debian package)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null \
      || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null; }
  fi
  command -v wrk >/dev/null || { echo "bench: wrk is missing: apt-get install -y wrk" >&2; exit 2; }
fi
if [ ! -f "$VENV/.installed" ] || [ bench/requirements.txt -nt "$VENV/.installed" ]; then
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --require-hashes -r bench/requirements.txt
  touch "$VENV/.installed"
fi
mkdir -p bench/results

# bench.py stops what it starts; this trap is the safety net if it is killed hard: each
# server bench.py started leads its own process group, which is terminated.
cleanup() {
  status=$?
  for pid in $(pgrep -P "$$" 2>/dev/null || true); do
    for child in $(pgrep -P "$pid" 2>/dev/null || true); do kill -TERM -- "-$child" 2>/dev/null || true; done
  done
  exit $status
}
trap cleanup EXIT INT TERM
"$VENV/bin/python" bench/bench.py
