#!/usr/bin/env bash
# Installs the Debian tools toolchain/package.sh and toolchain/vm-test.sh use (idempotent, quiet
# when all are there). The build's own packages come from scripts/setup.sh; the cross compilers
# and multiarch libraries from toolchain/cross-build.sh.
#   toolchain/setup-packaging.sh [package|vm|vm-arm64]   (default: package)
# vm-arm64 adds qemu-system-aarch64 and qemu-user, and registers qemu-aarch64 with binfmt_misc
# when it is not (a machine without systemd-binfmt running, a container) so that mmdebstrap can run
# the arm64 image's maintainer scripts.
set -euo pipefail
mode="${1:-package}"

PACKAGES=(debhelper lintian fakeroot dpkg-dev systemd)
case "$mode" in
  vm) PACKAGES+=(mmdebstrap qemu-system-x86 qemu-utils e2fsprogs dosfstools mtools python3) ;;
  vm-arm64) PACKAGES+=(mmdebstrap arch-test qemu-system-arm qemu-user-static qemu-utils e2fsprogs dosfstools mtools python3) ;;
  package) ;;
  *)
    echo "usage: toolchain/setup-packaging.sh [package|vm|vm-arm64]" >&2
    exit 2
    ;;
esac

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

if [ "$mode" = vm-arm64 ] && [ "$(dpkg --print-architecture)" != arm64 ]; then
  binfmt=/proc/sys/fs/binfmt_misc
  if [ ! -e "$binfmt/qemu-aarch64" ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    [ -e "$binfmt/register" ] || $SUDO mount -t binfmt_misc binfmt_misc "$binfmt"
    $SUDO /usr/lib/systemd/systemd-binfmt /usr/lib/binfmt.d/qemu-aarch64.conf
  fi
  [ -e "$binfmt/qemu-aarch64" ] || {
    echo "setup-packaging: qemu-aarch64 is not registered with binfmt_misc ($binfmt)" >&2
    exit 1
  }
fi
