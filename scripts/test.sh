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

echo "== module table and size rules (docs/architecture.md)"
python3 scripts/check_architecture.py
python3 scripts/check_sizes.py

echo "== systemd units (toolchain/device, systemd-analyze verify)"
bash toolchain/verify-units.sh

echo "== tests (ASan+UBSan)"
# A throwaway PostgreSQL server (unix socket only) for the hub's "postgres" backend tests; stopped
# and removed on exit, whatever happens.
PG_TEST_DIR="$(mktemp -d /tmp/ck-pg.XXXXXX)"
cleanup_pg() {
  bash scripts/pg_test_server.sh stop "$PG_TEST_DIR" || true
  rm -rf "$PG_TEST_DIR"
}
trap cleanup_pg EXIT
CK_TEST_PG_CONNINFO="$(bash scripts/pg_test_server.sh start "$PG_TEST_DIR")"
export CK_TEST_PG_CONNINFO
echo "PostgreSQL for the tests: $CK_TEST_PG_CONNINFO"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build/asan --output-on-failure -j "$(nproc)"
cleanup_pg
trap - EXIT

echo "== fuzzers (${FUZZ_SECONDS}s each)"
bash scripts/setup.sh fuzz
bash tests/fuzz/run.sh build/fuzz "$FUZZ_SECONDS"

echo "== benchmarks (smoke run)"
bash scripts/setup.sh release
build/release/bench/card_bench --benchmark_min_time=0.01 >/dev/null
echo "all checks passed"
