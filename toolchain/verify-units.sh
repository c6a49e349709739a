#!/usr/bin/env bash
# Checks the systemd units with `systemd-analyze verify`:
#   toolchain/verify-units.sh                 the units in toolchain/device/ (seconds; no build)
#   toolchain/verify-units.sh PKG.deb...      the units as installed by the packages
# Units are verified under a scratch root holding the units and stand-ins for the programs they
# start (or the unpacked packages), so a wrong key, section, path or dependency fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
scratch="$(mktemp -d /tmp/ck-units.XXXXXX)"
trap 'rm -rf "$scratch"' EXIT
# The standard units first (sysinit.target, getty@.service, ...), from this machine.
mkdir -p "$scratch/lib/systemd"
cp -a /lib/systemd/system "$scratch/lib/systemd/"
mine=()
if (($#)); then
  for deb in "$@"; do
    dpkg-deb -x "$deb" "$scratch"
    while read -r u; do mine+=("$(basename "$u")"); done < <(dpkg-deb -c "$deb" | grep -o '[^ ]*/lib/systemd/system/[^/]*\.service$')
  done
else
  cp toolchain/device/*.service "$scratch/lib/systemd/system/"
  for u in toolchain/device/*.service; do mine+=("$(basename "$u")"); done
  mkdir -p "$scratch/usr/bin" "$scratch/usr/lib/cardkiosk"
  for p in usr/bin/kiosk usr/bin/cardhub usr/lib/cardkiosk/usb-mount usr/lib/cardkiosk/crash-screen; do
    printf '#!/bin/sh\n' >"$scratch/$p"
    chmod +x "$scratch/$p"
  done
fi
# What the units name from the base system (the real ones are on every Debian system).
for p in /bin/sh /usr/bin/setterm; do
  mkdir -p "$scratch$(dirname "$p")"
  [ -e "$scratch$p" ] || cp "$p" "$scratch$p"
done
units=()
for name in "${mine[@]}"; do
  case "$name" in *@.service) name="${name%@.service}@sda1.service" ;; esac
  units+=("$name")
done
# --root makes systemd-analyze read the units (and ExecStart= programs) under the scratch root;
# it still resolves dependencies on the standard units (getty@tty1, dev-sda1.device) by name.
out="$(systemd-analyze verify --root="$scratch" --man=no "${units[@]}" 2>&1)" || {
  echo "$out" >&2
  echo "verify-units: systemd-analyze verify failed" >&2
  exit 1
}
# verify exits 0 on some warnings (unknown keys): those fail here too.
if [ -n "$out" ]; then
  echo "$out" >&2
  echo "verify-units: systemd-analyze verify printed warnings" >&2
  exit 1
fi
echo "verify-units: ${units[*]} verified"
