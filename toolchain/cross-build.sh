#!/usr/bin/env bash
# Cross-builds cardkiosk for ARCH (Release, with the unit tests) into build/cross-ARCH and runs the
# tests under qemu-user:
#   bash toolchain/cross-build.sh arm64|armhf
# - installs what is missing first (toolchain/setup-cross.sh ARCH: quiet when all is there);
# - configures with toolchain/<triplet>.cmake, warnings as errors (CK_WERROR=OFF in the environment
#   turns that off), no benchmarks;
# - runs ctest, with a throwaway PostgreSQL server for the hub's "postgres" backend tests as
#   scripts/test.sh does, leaving out the tests named in toolchain/cross-test-exclusions.txt (each
#   with its reason), and prints how many ran and how many were left out.
# JOBS (default: nproc) sets the build's and ctest's parallelism. Exit status is non-zero if the
# build or any test fails.
set -euo pipefail
cd "$(dirname "$0")/.."
. toolchain/cross-arch.sh
cross_arch_init "${1:-}" || {
  echo "usage: bash toolchain/cross-build.sh arm64|armhf" >&2
  exit 2
}
JOBS="${JOBS:-$(nproc)}"
BUILD="build/cross-$CROSS_ARCH"
EXCLUSIONS=toolchain/cross-test-exclusions.txt

bash toolchain/setup-cross.sh "$CROSS_ARCH"

start=$SECONDS
cmake -S . -B "$BUILD" -G Ninja --toolchain "$CROSS_TOOLCHAIN" -DCMAKE_BUILD_TYPE=Release \
  -DCK_WERROR="${CK_WERROR:-ON}" -DCK_BENCH=OFF -DCK_TESTS=ON >/dev/null
cmake --build "$BUILD" -j "$JOBS"
echo "cross-build $CROSS_ARCH: built in $((SECONDS - start)) s"

# The exclusion list as one ctest regex, for this architecture: lines "ARCHES NAME REASON", ARCHES
# being "all" or a comma-separated list, NAME a test's full name where a trailing * stands for
# any end.
exclusions() {
  sed 's/#.*//' "$EXCLUSIONS" | awk -v arch="$CROSS_ARCH" \
    'NF >= 3 && ($1 == "all" || index("," $1 ",", "," arch ",")) { print $2 }'
}
regex=""
while read -r name; do
  pattern="$(sed 's/[].[^$\\+?(){}|]/\\&/g; s/\*$/.*/' <<<"$name")"
  regex="${regex:+$regex|}^$pattern\$"
done < <(exclusions)

listed() { ctest --test-dir "$BUILD" -N "$@" | sed -n 's/^Total Tests: //p'; }
total="$(listed)"
excluded=0
if [ -n "$regex" ]; then
  excluded=$((total - $(listed -E "$regex")))
fi
echo "cross-build $CROSS_ARCH: running $((total - excluded)) of $total tests under $CROSS_QEMU;" \
  "$excluded excluded by $EXCLUSIONS:"
sed 's/#.*//' "$EXCLUSIONS" | awk -v arch="$CROSS_ARCH" \
  'NF >= 3 && ($1 == "all" || index("," $1 ",", "," arch ",")) { n = $2; $1 = ""; $2 = ""; sub(/^  /, ""); print "  " n ": " $0 }'

PG_TEST_DIR="$(mktemp -d /tmp/ck-pg.XXXXXX)"
cleanup_pg() {
  bash scripts/pg_test_server.sh stop "$PG_TEST_DIR" || true
  rm -rf "$PG_TEST_DIR"
}
trap cleanup_pg EXIT
CK_TEST_PG_CONNINFO="$(bash scripts/pg_test_server.sh start "$PG_TEST_DIR")"
export CK_TEST_PG_CONNINFO

start=$SECONDS
ctest_args=(--test-dir "$BUILD" --output-on-failure -j "$JOBS")
[ -z "$regex" ] || ctest_args+=(-E "$regex")
status=0
ctest "${ctest_args[@]}" || status=$?
echo "cross-build $CROSS_ARCH: $((total - excluded)) tests ran under $CROSS_QEMU in" \
  "$((SECONDS - start)) s, $excluded excluded (exit status $status)"
exit "$status"
