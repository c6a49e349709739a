#!/usr/bin/env bash
# The scanning benchmark (docs/scanner.md): builds a release tree, runs scan_bench over the frame
# corpus (our decoder, ZXing-cpp with its defaults and with tryHarder, zbar, all on the same
# frames: reads and median time per tier, and the targets checked; then frame-to-verdict latency
# through the pipeline at 640x480 and 1920x1080) and, with --options, the table of decoder options
# that docs/scanner.md discusses.
#   bench/run_scan_bench.sh [--options] [BUILD_DIR]     (default BUILD_DIR: build/release)
set -euo pipefail
cd "$(dirname "$0")/.."
options=0
if [ "${1:-}" = "--options" ]; then
  options=1
  shift
fi
build="${1:-build/release}"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCK_TESTS=OFF >/dev/null
cmake --build "$build" --target scan_bench >/dev/null
"$build/bench/scan_bench" --repeat 3
if [ "$options" = 1 ]; then
  # One option changed at a time from the default ("ours"); zx: is ZXing-cpp alone, QR only.
  "$build/bench/scan_bench" --repeat 3 --no-latency --decoders \
"ours,ours:region=0/contrast=0/glare=0/invert=0/down=1,ours:region=0,ours:glare=0,\
ours:invert=0,ours:second=1,ours:global=1,ours:zoom=150,ours:step=4,ours:down=1,\
ours:harder=1,zx:harder=0/down=0,zx:harder=0/down=0/bin=global,zbar-qr"
fi
