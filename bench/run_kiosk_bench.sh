#!/usr/bin/env bash
# The kiosk app, measured end to end on this machine:
#  - frame-to-verdict-on-screen latency: 40 cards shown to the camera (a recording played at its
#    frame rate through the real ScanPipeline), checked in at an event against a 3.5 M-member
#    registry, each result drawn and presented; from the camera frame's capture time to the
#    SDL_RenderPresent of its result;
#  - memory with that registry (peak RSS, and the process's own anonymous memory);
#  - idle CPU: the idle screen for 10 s with no camera, and with a 30 fps camera on a still scene.
# The app runs under Xvfb with SDL's default renderer (software GL there: a device's GPU does the
# drawing instead).
#   bench/run_kiosk_bench.sh [WORK_DIR]        (default /tmp/kioskbench)
set -euo pipefail
cd "$(dirname "$0")/.."
work="${1:-/tmp/kioskbench}"
bash scripts/setup.sh release >/dev/null
bin=build/release
mkdir -p "$work"
reg="$work/reg"
if [ ! -f "$reg/data/registry.db" ]; then
  echo "building the 3.5 M-member registry (bench/run_registry_bench.sh)..." >&2
  bash bench/run_registry_bench.sh 3500000 "$reg" >/dev/null
fi

# 40 members of the registry, their cards, and a recording: each card for 1 frame, then 4 blank
# frames, at 15 fps (a card every 1/3 s, while the previous result is still on screen).
{
  echo "member_id,name,org,category,serial,number"
  for i in $(seq 1 40); do printf 'EDU-%08d,Member %d Test,RU-EDU-69-SCH12,0,1,69%08d\n' "$i" "$i" "$i"; done
} >"$work/members.csv"
rm -rf "$work/cards" "$work/frames" "$work/blank" "$work/data"
$bin/tools/cardctl issue --key "$reg/issuer.key.pem" --iss RU-EDU-69 \
  --status-secret "$reg/status.secret" --members "$work/members.csv" --out "$work/cards" \
  --names short --iat 2026-11-01T00:00:00Z >/dev/null
for f in "$work"/cards/*.txt; do cat "$f"; echo; printf '\n\n\n\n'; done >"$work/texts.txt"
$bin/bench/gen_frames --texts "$work/texts.txt" --out "$work/frames" >/dev/null
mkdir -p "$work/data"
cp "$reg/data/registry.db" "$reg/data/registry.seq" "$work/data/"
cat >"$work/kiosk.conf" <<EOF
camera_fps = 15
sound_volume = 0
fullscreen = false
EOF
echo "quit" >"$work/quit.script"

run() { SDL_AUDIODRIVER=dummy xvfb-run -a -s "-screen 0 800x480x24" "$@"; }
stat_of() { sed -nE "s/.*\"$1\":([0-9.]+).*/\1/p" <<<"$2"; }

echo "== frame-to-verdict-on-screen, 40 cards, event check-in, 3.5 M-member registry"
out=$(run $bin/kiosk/kiosk --config "$work/kiosk.conf" --data-dir "$work/data" --mode event \
  --event E001 --camera "$work/frames" --fake-clock 2026-12-02T10:00:00+03:00 --quit-after 16 \
  2>/dev/null | tail -n 1)
echo "cards read from the camera: $(stat_of scans_from_camera "$out") of 40"
echo "frame to screen: p50 $(stat_of frame_to_screen_ms_p50 "$out") ms, p95 $(stat_of frame_to_screen_ms_p95 "$out") ms"
echo "draw: p50 $(stat_of draw_ms_p50 "$out") ms, p95 $(stat_of draw_ms_p95 "$out") ms, max $(stat_of draw_ms_max "$out") ms"
echo "memory: peak RSS $(stat_of max_rss_kb "$out") kB (shared libraries included), own anonymous $(stat_of anon_kb "$out") kB"

# Idle CPU: user+system ticks of the process over 10 s, after 3 s to settle.
idle_cpu() {
  run bash -c '
    "$@" >/dev/null 2>&1 &
    pid=$!
    sleep 3
    t0=$(awk "{print \$14+\$15}" /proc/$pid/stat)
    sleep 10
    t1=$(awk "{print \$14+\$15}" /proc/$pid/stat)
    kill $pid
    wait $pid 2>/dev/null || true
    echo "scale=2; ($t1-$t0)*100/$(getconf CLK_TCK)/10" | bc' _ "$@"
}
for i in $(seq 1 400); do echo; done >"$work/blank.txt"
$bin/bench/gen_frames --texts "$work/blank.txt" --out "$work/blank" >/dev/null
cat >"$work/idle.conf" <<EOF
camera_fps = 30
sound_volume = 0
fullscreen = false
EOF
echo "== idle CPU (percent of one core)"
echo "no camera (hand scanner only): $(idle_cpu $bin/kiosk/kiosk --config "$work/idle.conf" \
  --data-dir "$work/data" --mode event --event E001)"
echo "camera at 30 fps, nobody in front of it: $(idle_cpu $bin/kiosk/kiosk --config \
  "$work/idle.conf" --data-dir "$work/data" --mode event --event E001 --camera "$work/blank")"
