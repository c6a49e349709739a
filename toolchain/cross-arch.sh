# Sourced by toolchain/setup-cross.sh and toolchain/cross-build.sh: what a Debian architecture name
# means for a cross-build from a Debian 12 amd64 machine.
#   cross_arch_init ARCH   (arm64 | armhf; aarch64 and arm are accepted too) sets
#     CROSS_ARCH        the Debian architecture (arm64, armhf)
#     CROSS_TRIPLET     the GNU triplet of Debian's cross compiler and multiarch directories
#     CROSS_TOOLCHAIN   the CMake toolchain file
#     CROSS_QEMU        the qemu-user binary that runs the target's programs
#     CROSS_UNPACKED    where toolchain/setup-cross.sh unpacks the -dev packages that cannot be
#                       installed beside the amd64 ones (see UNPACKED_DEV there)

CROSS_UNPACKED_BASE="${CK_CROSS_UNPACKED_BASE:-/opt/cardkiosk-cross}"

cross_arch_init() {
  local dir
  dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
  case "${1:-}" in
    arm64 | aarch64)
      CROSS_ARCH=arm64
      CROSS_TRIPLET=aarch64-linux-gnu
      CROSS_QEMU=qemu-aarch64
      ;;
    armhf | arm)
      CROSS_ARCH=armhf
      CROSS_TRIPLET=arm-linux-gnueabihf
      CROSS_QEMU=qemu-arm
      ;;
    *)
      echo "unknown architecture '${1:-}': expected arm64 (aarch64) or armhf" >&2
      return 2
      ;;
  esac
  CROSS_TOOLCHAIN="$dir/$CROSS_TRIPLET.cmake"
  CROSS_UNPACKED="$CROSS_UNPACKED_BASE/$CROSS_ARCH"
}
