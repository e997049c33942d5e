#!/usr/bin/env bash
# Runs the README's test command while two busy-loop processes keep both cores loaded, N times
# (default 3), and prints how long each run took. The suite must pass like this: every wait in it
# is for an event, with a deadline, never for a fixed time.
#   scripts/test-busy.sh [RUNS]
set -uo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
busy=()
cleanup() { for p in "${busy[@]}"; do kill "$p" 2>/dev/null; done; }
trap cleanup EXIT
for _ in 1 2; do
  node -e 'for (;;) {}' &
  busy+=($!)
done
failed=0
for i in $(seq 1 "$runs"); do
  start=$(date +%s)
  mkdir -p test-results
  if npm test >"test-results/busy-run-$i.log" 2>&1; then result=passed; else result=FAILED; failed=1; fi
  echo "busy run $i/$runs: $result in $(($(date +%s) - start)) s (log: test-results/busy-run-$i.log)"
done
exit $failed
