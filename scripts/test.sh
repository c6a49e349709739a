#!/usr/bin/env bash
# Runs every check: formatting, the unit/integration tests under ASan+UBSan, the fuzzers for a
# bounded time, and a smoke run of the benchmarks. Exit status is non-zero if anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZ_SECONDS="${FUZZ_SECONDS:-30}"

bash scripts/setup.sh asan

echo "== clang-format"
files=$(git ls-files '*.cc' '*.h')
clang-format --dry-run -Werror $files

echo "== tests (ASan+UBSan)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build/asan --output-on-failure -j "$(nproc)"

echo "== fuzzers (${FUZZ_SECONDS}s each)"
bash scripts/setup.sh fuzz
bash tests/fuzz/run.sh build/fuzz "$FUZZ_SECONDS"

echo "== benchmarks (smoke run)"
bash scripts/setup.sh release
build/release/bench/card_bench --benchmark_min_time=0.01 >/dev/null
echo "all checks passed"
