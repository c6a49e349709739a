#!/usr/bin/env bash
# Builds (Release), tests and packages cardkiosk for one Debian architecture:
#   toolchain/package.sh [amd64|arm64|armhf]      (default: this machine's architecture)
# writes build/deb/cardkiosk_<version>_<arch>.deb and build/deb/cardkiosk-hub_<version>_<arch>.deb,
# then checks both with lintian (errors fail the run) and the units with systemd-analyze verify.
# The native build is build/pkg-<arch>; arm64/armhf are built and tested (under qemu-user) by
# toolchain/cross-build.sh into build/cross-<arch>. The packaging itself is debhelper
# (toolchain/debian/) run by dpkg-buildpackage over the finished build tree (see README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
native="$(dpkg --print-architecture)"
arch="${1:-$native}"
case "$arch" in
  amd64 | arm64 | armhf) ;;
  *)
    echo "usage: toolchain/package.sh [amd64|arm64|armhf]" >&2
    exit 2
    ;;
esac
bash toolchain/setup-packaging.sh
version="$(sed -n 's/^project(cardkiosk VERSION \([0-9.]*\) .*/\1/p' CMakeLists.txt)"
[ -n "$version" ] || { echo "package: no project(cardkiosk VERSION x.y.z) in CMakeLists.txt" >&2; exit 1; }

# 1. Build and test.
if [ "$arch" = "$native" ]; then
  build="$root/build/pkg-$arch"
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCK_WERROR=ON -DCK_BENCH=OFF >/dev/null
  cmake --build "$build" -j "$(nproc)"
  pg_dir="$(mktemp -d /tmp/ck-pg.XXXXXX)"
  trap 'bash scripts/pg_test_server.sh stop "$pg_dir" >/dev/null 2>&1 || true; rm -rf "$pg_dir"' EXIT
  CK_TEST_PG_CONNINFO="$(bash scripts/pg_test_server.sh start "$pg_dir")"
  export CK_TEST_PG_CONNINFO
  ctest --test-dir "$build" --output-on-failure -j "$(nproc)"
else
  build="$root/build/cross-$arch"
  bash toolchain/cross-build.sh "$arch"
fi

# 2. Package: a staging source tree (debian/, the device's files, the docs) over the build tree.
out="$root/build/deb"
stage="$out/stage-$arch/cardkiosk-$version"
rm -rf "$out/stage-$arch"
mkdir -p "$stage/doc"
cp -r toolchain/debian toolchain/device "$stage/"
cp docs/device.md docs/kiosk-app.md docs/cardctl.md docs/hub.md docs/hub-protocol.md \
  hub/nginx-example.conf "$stage/doc/"
cp -r docs/man "$stage/doc/man"
cat >"$stage/debian/changelog" <<CHANGELOG
cardkiosk ($version) bookworm; urgency=medium

  * cardkiosk $version.

 -- cardkiosk maintainers <cardkiosk@example.org>  $(date -R -d "@$(git log -1 --format=%ct 2>/dev/null || date +%s)")
CHANGELOG
(cd "$stage" && CK_BUILD_DIR="$build" dpkg-buildpackage -b -us -uc -d --host-arch="$arch" >"$out/dpkg-buildpackage-$arch.log" 2>&1) || {
  tail -40 "$out/dpkg-buildpackage-$arch.log" >&2
  echo "package: dpkg-buildpackage failed (whole log: $out/dpkg-buildpackage-$arch.log)" >&2
  exit 1
}
debs=("$out/cardkiosk_${version}_$arch.deb" "$out/cardkiosk-hub_${version}_$arch.deb")
mv "$out/stage-$arch/cardkiosk_${version}_$arch.deb" "$out/stage-$arch/cardkiosk-hub_${version}_$arch.deb" "$out/"

# 3. Checks: lintian (errors fail), the units (systemd-analyze verify in the unpacked packages).
lintian --fail-on error --no-tag-display-limit "${debs[@]}"
bash toolchain/verify-units.sh "${debs[@]}"
ls -l "${debs[@]}"
