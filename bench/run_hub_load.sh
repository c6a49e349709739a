#!/usr/bin/env bash
# The hub's bounded load test (docs/hub.md, "Load"), loopback only: KIOSKS simulated kiosks push
# ENTRIES journal entries each (in BATCHES signed batches) concurrently to one `cardhub serve` on
# 127.0.0.1; reports throughput and latency, then checks that exactly KIOSKS*ENTRIES entries are
# stored, each uuid once, and every device is acked to ENTRIES. Exit 0 only when all of that holds.
#   bench/run_hub_load.sh [BUILD_DIR]        (default BUILD_DIR: build/release, built if missing)
# Environment: COMPARE_CONTACTS=1 (first the same push to a copy of the hub with
#              record_contacts = false, then the ordinary run: what writing contacts costs)
#              HUB_CONFIG (a --config file for the measured hub)
#              GET=N (after the push, every kiosk sends N signed GET /v1/bundle to the same hub:
#                     the smallest signed request's throughput and latency; `hub_load get`)
#              KIOSKS=200 ENTRIES=100 BATCHES=4 THREADS=48 TIMEOUT=120 (seconds, for the push)
#              RETRIES=2 (resends of a batch after a transport error, as a kiosk's next sync would;
#                         0: any transport error fails the run)
#              WORK_DIR (default: a new temporary directory, removed at the end unless KEEP=1) for
#              the hub's data; the kiosks' directories (fixtures, not measured) go to a temporary
#              directory in /dev/shm when there is one, so that making 20,000 durable journal
#              appends does not take minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-build/release}"
kiosks="${KIOSKS:-200}"
entries="${ENTRIES:-100}"
batches="${BATCHES:-4}"
threads="${THREADS:-48}"
timeout_s="${TIMEOUT:-120}"
retries="${RETRIES:-2}"

if [ "$bin" = build/release ]; then
  [ -x "$bin/bench/hub_load" ] && [ -x "$bin/hub/cardhub" ] || bash scripts/setup.sh release >/dev/null
elif [ ! -x "$bin/bench/hub_load" ] || [ ! -x "$bin/hub/cardhub" ]; then
  cmake --build "$bin" --target hub_load cardhub >/dev/null
fi
cardhub="$bin/hub/cardhub"
load="$bin/bench/hub_load"

work="${WORK_DIR:-$(mktemp -d)}"
kiosks_dir="$(mktemp -d -p /dev/shm 2>/dev/null || mktemp -d)"
mkdir -p "$work/hub"
hub_pid=""
cleanup() {
  if [ -n "$hub_pid" ]; then
    kill "$hub_pid" 2>/dev/null || true
    wait "$hub_pid" 2>/dev/null || true
  fi
  if [ "${KEEP:-0}" != 1 ]; then
    rm -rf "$kiosks_dir"
    [ -n "${WORK_DIR:-}" ] || rm -rf "$work"
  fi
}
trap cleanup EXIT

echo "hub_load: $kiosks kiosks x $entries entries, $batches batches each, $threads client threads, $retries retries"
timeout 300 "$load" prepare --hub-dir "$work/hub" --kiosks-dir "$kiosks_dir" --kiosks "$kiosks" \
  --entries "$entries" --batches "$batches"

# Starts `cardhub serve` on DIR (extra flags after it), pushes every kiosk's batches, stops it.
serve_and_push() {
  local dir="$1"
  shift
  "$cardhub" serve --listen 127.0.0.1:0 --data-dir "$dir" "$@" >"$work/hub.stdout" \
    2>"$work/hub.stderr" &
  hub_pid=$!
  port=""
  for _ in $(seq 200); do  # up to 20 s for "listening on 127.0.0.1:PORT"
    line="$(head -n1 "$work/hub.stdout" 2>/dev/null || true)"
    if [[ "$line" == "listening on 127.0.0.1:"* ]]; then port="${line##*:}"; break; fi
    kill -0 "$hub_pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$port" ]; then
    echo "hub_load: cardhub did not start: $(cat "$work/hub.stderr")" >&2
    exit 1
  fi
  echo "hub: pid $hub_pid on 127.0.0.1:$port $*"
  # The push stops itself at its deadline; `timeout` is the backstop (deadline + 30 s).
  timeout "$((timeout_s + 30))" "$load" push --port "$port" --kiosks-dir "$kiosks_dir" \
    --kiosks "$kiosks" --batches "$batches" --threads "$threads" --timeout "$timeout_s" \
    --retries "$retries" | tee "$work/push.out" || status=1
  if [ -n "${GET:-}" ]; then
    timeout "$((timeout_s + 30))" "$load" get --port "$port" --kiosks-dir "$kiosks_dir" \
      --kiosks "$kiosks" --requests "$GET" --threads "$threads" --timeout "$timeout_s" || status=1
  fi
  kill "$hub_pid"
  wait "$hub_pid" 2>/dev/null || true
  hub_pid=""
}

status=0
if [ "${COMPARE_CONTACTS:-0}" = 1 ]; then
  # The same prepared fleet, first to a hub that writes no contacts (a copy of the data).
  cp -a "$work/hub" "$work/hub-nocontacts"
  printf 'record_contacts = false\n' >"$work/nocontacts.conf"
  serve_and_push "$work/hub-nocontacts" --config "$work/nocontacts.conf"
  without="$(grep -o '[0-9.]* requests/s' "$work/push.out" | cut -d' ' -f1)"
fi
serve_and_push "$work/hub" ${HUB_CONFIG:+--config "$HUB_CONFIG"}
if [ "${COMPARE_CONTACTS:-0}" = 1 ]; then
  with="$(grep -o '[0-9.]* requests/s' "$work/push.out" | cut -d' ' -f1)"
  echo "contacts: $with requests/s writing them, $without requests/s without:" \
    "$(echo "(1 - $with / $without) * 100" | bc -l | cut -c1-5) % slower"
fi
refusals="$(grep -c 'refused' "$work/hub.stderr" || true)"
echo "hub: stopped; $refusals refusals logged"

timeout 120 "$load" verify --hub-dir "$work/hub" --kiosks "$kiosks" --entries "$entries" || status=1
# Cross-check through the admin commands.
stored="$("$cardhub" entries --data-dir "$work/hub" | wc -l)"
acked="$("$cardhub" devices --data-dir "$work/hub" | awk -F'\t' -v n="$entries" '$5 == n' | wc -l)"
echo "cardhub entries: $stored lines (want $((kiosks * entries))); cardhub devices: $acked of $kiosks acked to $entries"
[ "$stored" -eq "$((kiosks * entries))" ] && [ "$acked" -eq "$kiosks" ] || status=1

[ "$status" -eq 0 ] && echo "hub_load: PASS" || echo "hub_load: FAIL"
exit "$status"
