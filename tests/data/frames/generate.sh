#!/usr/bin/env bash
# Regenerates the recorded-frame corpus of the scanner (docs/scanner.md) into this directory.
#
#   tests/data/frames/generate.sh [BUILD_DIR]     (default BUILD_DIR: build/frames-gen)
#
# bench/gen_frames issues eight real membership cards (UC1 texts, 237-271 characters) with an
# Ed25519 key derived from a fixed seed and shows them to a simulated camera: 28 frames per tier,
# four in five at 640x480 and the rest at 1280x720, grey JPEG at quality 90. Every random choice
# comes from a per-frame seed (tier name and index), so a run writes byte-identical files; the
# script checks that by generating twice. Each frame NAME.jpg has NAME.txt beside it: the texts
# expected in it, one per line (an empty file: no code). Also written: issuer.pub.pem (to verify
# the cards) and manifest.tsv (how each frame was made: code size and centre, pose, blur, noise).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
build="${1:-$root/build/frames-gen}"

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCK_TESTS=OFF >/dev/null
cmake --build "$build" --target gen_frames >/dev/null

tiers=(clean small rotation perspective blur noise low_contrast glare phone_screen multi
       tilt40 tilt50 tilt60 bend motion exposure large_4k none)
for t in "${tiers[@]}"; do rm -rf "${here:?}/$t"; done
"$build/bench/gen_frames" "$here"

# Determinism: a second run into a scratch directory must produce the same bytes.
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
"$build/bench/gen_frames" "$scratch" 2>/dev/null
for t in "${tiers[@]}" ; do
  if ! diff -r -q "$here/$t" "$scratch/$t" >/dev/null; then
    echo "generate.sh: tier $t differs between two runs: the generator is not deterministic" >&2
    exit 1
  fi
done
cmp -s "$here/manifest.tsv" "$scratch/manifest.tsv" || {
  echo "generate.sh: manifest.tsv differs between two runs" >&2
  exit 1
}

frames=$(find "$here" -name '*.jpg' | wc -l)
echo "generate.sh: $frames frames, $(du -sh --apparent-size "$here" | cut -f1) in $here"
