#!/usr/bin/env bash
# The hub's bounded abuse test (docs/hub.md, "Abuse"), loopback only: signed journal pushes
# (bench/hub_load.cc push, KIOSKS kiosks x BATCHES batches) measured with no attack, under TRICKLE
# trickling + IDLE idle connections (bench/hub_abuse.cc hold, one byte every 4 s, for HOLD s), and
# under FLOOD header-flood connections (hub_abuse flood, FLOOD_BYTES each); cardhub's peak RSS for
# each. Each case runs on a fresh copy of one prepared hub data directory. Prints one table row
# per case, with the wall time of one kiosk's real `cardctl sync` started during the attack
# (column "sync s"), and the CPU seconds the hub and the attacking process used during the push
# (they share the cores on loopback). Every loop is bounded in count and time; the hub and the
# attack are stopped at the end.
#   bench/run_hub_abuse.sh [BUILD_DIR] [ABUSE_BIN]   (default build/release and its hub_abuse;
#                                                     BUILD_DIR gives cardhub, cardctl and hub_load)
# Environment: KIOSKS=200 ENTRIES=100 BATCHES=4 THREADS=48 TRICKLE=1000 IDLE=1000 HOLD=60
#              WARMUP=12 (s of attack before the push starts) FLOOD=1000 FLOOD_BYTES=262144
#              PUSH_TIMEOUT=60 CASES="none hold flood"
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-build/release}"
abuse="${2:-$bin/bench/hub_abuse}"
kiosks="${KIOSKS:-200}" entries="${ENTRIES:-100}" batches="${BATCHES:-4}" threads="${THREADS:-48}"
trickle="${TRICKLE:-1000}" idle="${IDLE:-1000}" hold="${HOLD:-60}" warmup="${WARMUP:-12}"
flood="${FLOOD:-1000}" flood_bytes="${FLOOD_BYTES:-262144}" push_timeout="${PUSH_TIMEOUT:-60}"
cases="${CASES:-none hold flood}"
cardhub="$bin/hub/cardhub"
cardctl="$bin/tools/cardctl"
load="$bin/bench/hub_load"
for f in "$cardhub" "$cardctl" "$load" "$abuse"; do
  [ -x "$f" ] || { echo "hub_abuse: missing $f (build cardhub cardctl hub_load hub_abuse)" >&2; exit 1; }
done
ulimit -n "$(ulimit -Hn)"  # thousands of connections on both sides

work="$(mktemp -d)"
kiosks_dir="$(mktemp -d -p /dev/shm 2>/dev/null || mktemp -d)"
hub_pid="" attack_pid=""
stop() {
  for p in "$attack_pid" "$hub_pid"; do
    if [ -n "$p" ]; then kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; fi
  done
  attack_pid="" hub_pid=""
}
cleanup() { stop; rm -rf "$kiosks_dir" "$work"; }
trap cleanup EXIT

# One kiosk more than the push uses: load-$kiosks is the kiosk whose `cardctl sync` is timed.
timeout 300 "$load" prepare --hub-dir "$work/template" --kiosks-dir "$kiosks_dir" \
  --kiosks "$((kiosks + 1))" --entries "$entries" --batches "$batches" >/dev/null
sync_kiosk="$kiosks_dir/$(printf 'load-%04d' "$kiosks")"

cpu_ticks() {  # $1: pid; its user + system CPU so far, in clock ticks (0 when it is gone)
  awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0
}

start_hub() {  # $1: data dir; sets hub_pid and port
  "$cardhub" serve --listen 127.0.0.1:0 --data-dir "$1" >"$1.stdout" 2>"$1.stderr" &
  hub_pid=$!
  port=""
  for _ in $(seq 200); do  # up to 20 s
    line="$(head -n1 "$1.stdout" 2>/dev/null || true)"
    if [[ "$line" == "listening on 127.0.0.1:"* ]]; then port="${line##*:}"; return 0; fi
    kill -0 "$hub_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "hub_abuse: cardhub did not start: $(cat "$1.stderr")" >&2
  exit 1
}

printf '%-6s | %-10s | %-9s | %-9s | %-7s | %-9s | %-7s | %-12s | %-12s | %s\n' case "requests/s" \
  "p50 ms" "p99 ms" errors "peak RSS" "sync s" "hub CPU s" "attack CPU s" attack
for c in $cases; do
  dir="$work/$c"
  cp -a "$work/template" "$dir"
  start_hub "$dir"
  case "$c" in
    none) ;;
    hold) timeout $((hold + 10)) "$abuse" hold --port "$port" --trickle "$trickle" --idle "$idle" \
            --seconds "$hold" >"$dir.attack" 2>&1 & attack_pid=$! ;;
    flood) timeout $((hold + 10)) "$abuse" flood --port "$port" --conns "$flood" \
             --bytes "$flood_bytes" --seconds "$hold" >"$dir.attack" 2>&1 & attack_pid=$! ;;
    *) echo "hub_abuse: unknown case $c" >&2; exit 2 ;;
  esac
  [ "$c" = none ] || sleep "$warmup"
  # A kiosk's own sync (the real `cardctl sync`: pushes its ENTRIES entries, reports its status)
  # under the attack, before the push so that the push's figures stay comparable with earlier runs.
  # Each case syncs a fresh copy of the kiosk's directory, so each pushes the same journal.
  rm -rf "$work/sync-kiosk" && cp -a "$sync_kiosk" "$work/sync-kiosk"
  t0="$(date +%s%N)"
  if timeout 120 "$cardctl" sync --data-dir "$work/sync-kiosk" --hub "http://127.0.0.1:$port" \
    >"$dir.sync" 2>&1; then
    ms=$((($(date +%s%N) - t0) / 1000000))
    sync_s="$(printf '%d.%02d' $((ms / 1000)) $((ms % 1000 / 10)))"
  else
    sync_s="failed"
  fi
  # CPU of the hub and of the attacking process during the push: on loopback they share the cores.
  attacker="$( [ -z "$attack_pid" ] || pgrep -P "$attack_pid" | head -n1 || true)"
  hub0="$(cpu_ticks "$hub_pid")" att0="$( [ -z "$attacker" ] && echo 0 || cpu_ticks "$attacker")"
  timeout $((push_timeout + 30)) "$load" push --port "$port" --kiosks-dir "$kiosks_dir" \
    --kiosks "$kiosks" --batches "$batches" --threads "$threads" --timeout "$push_timeout" \
    --retries 0 >"$dir.push" 2>&1 || true
  tick="$(getconf CLK_TCK)"
  hub_cpu="$(echo "scale=2; ($(cpu_ticks "$hub_pid") - $hub0) / $tick" | bc)"
  att_cpu="-"
  [ -z "$attacker" ] || att_cpu="$(echo "scale=2; ($(cpu_ticks "$attacker") - $att0) / $tick" | bc)"
  rss="$(awk '/VmHWM/ {printf "%.0f MB", $2 / 1024}' "/proc/$hub_pid/status" 2>/dev/null || echo "?")"
  [ -z "$attack_pid" ] || wait "$attack_pid" 2>/dev/null || true
  attack_pid=""
  stop
  rps="$(sed -n 's/.*s: \([0-9.]*\) requests\/s.*/\1/p' "$dir.push")"
  p50="$(sed -n 's/.*p50 \([0-9.]*\).*/\1/p' "$dir.push")"
  p99="$(sed -n 's/.*p99 \([0-9.]*\).*/\1/p' "$dir.push")"
  errs="$(sed -n 's/.*errors: \([0-9]*\).*/\1/p' "$dir.push")"
  printf '%-6s | %-10s | %-9s | %-9s | %-7s | %-9s | %-7s | %-12s | %-12s | %s\n' "$c" \
    "${rps:-none}" "${p50:--}" "${p99:--}" "${errs:--}" "$rss" "$sync_s" "$hub_cpu" "$att_cpu" \
    "$(cat "$dir.attack" 2>/dev/null | tail -n1 || true)"
  [ "$sync_s" != failed ] || sed 's/^/    sync: /' "$dir.sync" | head -n5
  grep '^hub_load: ' "$dir.push" | head -n3 | sed 's/^/    /' || true  # the first errors
done
