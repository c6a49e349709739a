#!/usr/bin/env bash
# Admin page speed (docs/hub.md, "Admin pages"): the Fleet page with KIOSKS kiosks and the
# Partners page over ENTRIES entries on SQLite (target: each under 300 ms server time), plus the
# login hash cost (PBKDF2-HMAC-SHA256, 600,000 iterations, through `cardhub admin add`).
#   bench/run_fleet_bench.sh [BUILD_DIR]       (default: build/release, configured with
#                                               -DCK_BENCH=ON and built if missing)
# Environment: KIOSKS=1000 ENTRIES=5000000 RUNS=5; WORK_DIR (default: a temporary directory,
# removed at the end unless KEEP=1).
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-build/release}"
if [ ! -x "$bin/bench/fleet_bench" ] || [ ! -x "$bin/hub/cardhub" ]; then
  [ -f "$bin/build.ninja" ] || cmake -S . -B "$bin" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCK_TESTS=OFF -DCK_BENCH=ON >/dev/null
  cmake --build "$bin" --target fleet_bench cardhub >/dev/null
fi
work="${WORK_DIR:-$(mktemp -d)}"
[ -n "${WORK_DIR:-}" ] || [ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT
# A fresh account directory for the hash cost each run, so that a kept WORK_DIR can be reused.
rm -rf "$work/hash"
mkdir -p "$work/hash"
t0=$(date +%s.%N)
printf '%s\n' 'a password for the cost' | "$bin/hub/cardhub" admin add --data-dir "$work/hash" \
  --name cost >/dev/null
t1=$(date +%s.%N)
echo "login hash cost: $(echo "($t1 - $t0) * 1000" | bc -l | cut -d. -f1) ms for cardhub admin add" \
  "(one PBKDF2-HMAC-SHA256 of 600,000 iterations, plus the process start; a login does the same hash)"
nice "$bin/bench/fleet_bench" --dir "$work" --kiosks "${KIOSKS:-1000}" \
  --entries "${ENTRIES:-5000000}" --runs "${RUNS:-5}"
