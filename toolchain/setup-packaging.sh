#!/usr/bin/env bash
# Installs the Debian tools toolchain/package.sh and toolchain/vm-test.sh use (idempotent, quiet
# when all are there). The build's own packages come from scripts/setup.sh; the cross compilers
# and multiarch libraries from toolchain/cross-build.sh.
#   toolchain/setup-packaging.sh [package|vm]   (default: package)
set -euo pipefail

PACKAGES=(debhelper lintian fakeroot dpkg-dev systemd)
if [ "${1:-package}" = vm ]; then
  PACKAGES+=(mmdebstrap qemu-system-x86 qemu-utils e2fsprogs dosfstools mtools python3)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup-packaging: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
