#!/usr/bin/env bash
# The device boot test: a Debian 12 disk image made with mmdebstrap (Debian's packages only), the
# cardkiosk package installed and provisioned (bundle key, config, a first registry), booted under
# qemu-system-x86_64 (amd64) or qemu-system-aarch64 (arm64: the "virt" board, a Cortex-A72 as on a
# Raspberry Pi 4) with a virtio GPU and no X, and checked from outside through QMP and the guest
# agent (toolchain/vm_test.py says what is checked).
#   toolchain/vm-test.sh [amd64|arm64]    (default amd64; after toolchain/package.sh of that arch)
# Needs: root (mmdebstrap, mkfs.ext4 -d with the image's owners), the Debian mirror of this
# machine's apt sources, ~3 GB in build/vm-ARCH/. amd64: KVM where it boots the guest, else TCG by
# itself (the last line says which was used). arm64 on an amd64 machine: TCG, and qemu-user
# registered with binfmt_misc for the image's maintainer scripts (setup-packaging.sh vm-arm64 does
# both the packages and the registration).
# Not part of .ci/run or scripts/test.sh (minutes, not seconds): run it before each release and
# after any change under toolchain/. Output: build/vm-ARCH/ (screens/*.png, serial-*.log,
# results.json).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
arch="${1:-amd64}"
case "$arch" in
  amd64)
    bash toolchain/setup-packaging.sh vm
    build="$root/build/pkg-amd64"
    ;;
  arm64)
    bash toolchain/setup-packaging.sh vm-arm64
    build="$root/build/cross-arm64"
    ;;
  *)
    echo "usage: toolchain/vm-test.sh [amd64|arm64]" >&2
    exit 2
    ;;
esac
version="$(sed -n 's/^project(cardkiosk VERSION \([0-9.]*\) .*/\1/p' CMakeLists.txt)"
deb="$root/build/deb/cardkiosk_${version}_$arch.deb"
# The test data is made by the build's own cardctl (an arm64 one runs through binfmt_misc).
cardctl="$build/tools/cardctl"
for f in "$deb" "$cardctl"; do
  [ -e "$f" ] || { echo "vm-test: $f is missing: run toolchain/package.sh $arch first" >&2; exit 1; }
done
work="$root/build/vm"
[ "$arch" = amd64 ] || work="$root/build/vm-$arch"
mkdir -p "$work"
started=$(date +%s)
log() { echo "vm-test: [$(($(date +%s) - started))s] $*" >&2; }

# 1. Test data from the project's own tools: keys, a card, a registry bundle (seq 1, provisioned in
#    the image) and a newer one (seq 2, on the USB stick).
data="$work/data"
rm -rf "$data"
mkdir -p "$data"
"$cardctl" keygen --alg es256 --out "$data/issuer" >/dev/null
"$cardctl" keygen --alg ed25519 --out "$data/bundle" >/dev/null
"$cardctl" secret --out "$data/status.secret"
"$cardctl" issue --key "$data/issuer.key.pem" --iss RU-EDU-69 --status-secret "$data/status.secret" \
  --members demo/members.csv --out "$data/cards" --names short >/dev/null
for seq in 1 2; do
  "$cardctl" bundle build --members demo/registry-members.csv --issuer-pubkey "$data/issuer.pub.pem" \
    --status-secret "$data/status.secret" --seq "$seq" --valid-days 30 --mode allow \
    --sign "$data/bundle.key.pem" --out "$data/registry-$seq.ckbundle" \
    --partners demo/partners.csv --offers demo/offers.csv 2>/dev/null
done
# The stick: FAT32 with the newer bundle (mtools: no mount needed).
rm -f "$data/stick.img"
truncate -s 64M "$data/stick.img"
mkfs.vfat -F 32 -n CARDSTICK "$data/stick.img" >/dev/null
MTOOLS_SKIP_CHECK=1 mcopy -i "$data/stick.img" "$data/registry-2.ckbundle" ::/registry-2.ckbundle
# A stick with a filesystem the kiosk must refuse (ext2, so it is made without mounting).
rm -f "$data/stick-ext2.img"
truncate -s 16M "$data/stick-ext2.img"
mkfs.ext2 -q -L BADSTICK "$data/stick-ext2.img"

# 2. The image. The base (kernel, systemd, the guest agent, the package's dependencies) is cached
#    in build/vm/base-<hash>.tar, keyed by the package's Depends; the package and the provisioning
#    go on top each run.
mirror="$(sed -n 's/^URIs: *\(http[^ ]*debian\)$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)"
mirror="${mirror:-http://deb.debian.org/debian}"
depends="$(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed 's/(.*)//; s/|.*//; s/ //g' | grep -v '^$' | sort -u | paste -sd, -)"
include="linux-image-$arch,systemd-sysv,udev,kmod,qemu-guest-agent,procps,util-linux,mount,$depends"
key="$(echo "$include $mirror" | sha256sum | cut -c1-12)"
base="$work/base-$key.tar"
if [ ! -f "$base" ]; then
  log "building the $arch base image (mmdebstrap bookworm from $mirror)"
  mkdir -p "$work/apt-cache"
  mmdebstrap --variant=apt --architectures="$arch" --format=tar --include="$include" \
    --setup-hook='mkdir -p "$1"/var/cache/apt/archives' \
    --setup-hook="sync-in '$work/apt-cache' /var/cache/apt/archives" \
    --customize-hook="sync-out /var/cache/apt/archives '$work/apt-cache'" \
    bookworm "$base.part" "$mirror" >"$work/mmdebstrap.log" 2>&1 || {
    tail -30 "$work/mmdebstrap.log" >&2
    exit 1
  }
  mv "$base.part" "$base"
fi
log "image: base + $(basename "$deb") + provisioning"
rootfs="$work/rootfs"
rm -rf "$rootfs"
mkdir -p "$rootfs"
tar -C "$rootfs" -xf "$base"
cp "$deb" "$rootfs/tmp/"
# The maintainer scripts as on a running system (systemd-tmpfiles needs /proc).
mount -t proc proc "$rootfs/proc"
trap 'umount "$rootfs/proc" 2>/dev/null || true' EXIT
chroot "$rootfs" dpkg -i "/tmp/$(basename "$deb")" >"$work/dpkg-install.log" 2>&1 || {
  cat "$work/dpkg-install.log" >&2
  exit 1
}
rm "$rootfs/tmp/$(basename "$deb")"
install -m 0644 "$data/bundle.pub.pem" "$rootfs/etc/cardkiosk/bundle.pub.pem"
sed -i 's/^partner = ""/partner = "P0001"/' "$rootfs/etc/cardkiosk/kiosk.conf"
echo 'KIOSK_ARGS="--language en"' >"$rootfs/etc/default/cardkiosk"
[ -d "$rootfs/var/lib/cardkiosk" ] || { echo "vm-test: the package made no /var/lib/cardkiosk" >&2; exit 1; }
cp "$data/registry-1.ckbundle" "$rootfs/tmp/"
chroot "$rootfs" runuser -u cardkiosk -- cardctl bundle apply --data-dir /var/lib/cardkiosk \
  --trust /etc/cardkiosk/bundle.pub.pem /tmp/registry-1.ckbundle >/dev/null
rm "$rootfs/tmp/registry-1.ckbundle"
umount "$rootfs/proc"
# A kiosk built without the systemd notifications (READY=1, WATCHDOG=1) cannot run as Type=notify:
# such a build is tested as Type=simple without the watchdog, and the results say so.
if ! grep -q NOTIFY_SOCKET "$rootfs/usr/bin/kiosk" && ! chroot "$rootfs" ldd /usr/bin/kiosk | grep -q libsystemd; then
  log "this kiosk sends no sd_notify: testing it as Type=simple without the watchdog"
  mkdir -p "$rootfs/etc/systemd/system/cardkiosk.service.d"
  printf '[Service]\nType=simple\nWatchdogSec=0\n' >"$rootfs/etc/systemd/system/cardkiosk.service.d/no-notify.conf"
fi
echo "/dev/vda / ext4 errors=remount-ro 0 1" >"$rootfs/etc/fstab"
echo cardkiosk-vm >"$rootfs/etc/hostname"
cp "$rootfs"/boot/vmlinuz-* "$work/vmlinuz"
cp "$rootfs"/boot/initrd.img-* "$work/initrd.img"
rm -f "$work/disk.img"
mkfs.ext4 -q -F -L root -d "$rootfs" "$work/disk.img" 3G
rm -rf "$rootfs"
log "image ready ($(du -h --apparent-size "$work/disk.img" | cut -f1) sparse, $(du -h "$work/disk.img" | cut -f1) used)"

# 3. Boot and check.
rc=0
python3 toolchain/vm_test.py --arch "$arch" --work "$work" --card "$data/cards/EDU-690001.txt" \
  --card2 "$data/cards/EDU-690003.txt" --stick "$data/stick.img" --bad-stick "$data/stick-ext2.img" || rc=$?
accel="$(python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); print(r.get("accel", "none"), "(KVM fell back: " + r["kvm_fallback"] + ")" if "kvm_fallback" in r else "")' "$work/results.json" 2>/dev/null || echo unknown)"
log "accelerator: $accel"
[ "$rc" -eq 0 ] && log "done: every check passed" || log "FAILED (exit $rc): see $work/results.json"
exit "$rc"
