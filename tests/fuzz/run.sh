#!/usr/bin/env bash
# Runs every fuzz target for a bounded time from its seed corpus; fails on any crash, leak or
# timeout. The seeds in tests/fuzz/corpus/ are not modified: new inputs go to a scratch directory.
#   tests/fuzz/run.sh BUILD_DIR SECONDS
set -euo pipefail
build="$1"
seconds="$2"
here="$(cd "$(dirname "$0")" && pwd)"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
for target in fuzz_card_text:card_text fuzz_cose_payload:cose fuzz_qr_frame:qr_frame; do
  bin="${target%%:*}"
  corpus="${target##*:}"
  mkdir -p "$scratch/$corpus"
  echo "fuzz: $bin for ${seconds}s"
  "$build/tests/fuzz/$bin" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 \
    -max_len=$([ "$bin" = fuzz_qr_frame ] && echo 65538 || echo 4096) -print_final_stats=1 -artifact_prefix="$scratch/" \
    "$scratch/$corpus" "$here/corpus/$corpus" 2>"$scratch/$bin.log" || {
      tail -n 60 "$scratch/$bin.log"
      echo "fuzz: $bin FAILED" >&2
      exit 1
    }
  grep -E "stat::number_of_executed_units|Done" "$scratch/$bin.log" | tail -n 2
done
