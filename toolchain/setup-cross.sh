#!/usr/bin/env bash
# Installs what a cross-build of cardkiosk for ARCH needs on a Debian 12 amd64 machine, from the
# Debian archive only (idempotent, quiet when everything is there):
#   bash toolchain/setup-cross.sh arm64|armhf
# - `dpkg --add-architecture ARCH` and the package lists for it;
# - Debian's cross compiler (g++-aarch64-linux-gnu / g++-arm-linux-gnueabihf) and qemu-user;
# - the host tools of scripts/setup.sh (cmake, ninja, pkg-config, PostgreSQL for the hub's tests...);
# - every library package of scripts/setup.sh's list as its multiarch `-dev:ARCH` package, but for
#   the few listed in NOT_FOR_CROSS (with the reason) and UNPACKED_DEV (below).
# apt is always simulated first: if it would remove any installed package the script stops and says
# which, and installs nothing. A multiarch `Multi-Arch: same` package must have the same version for
# every architecture, so installing an ARCH library can upgrade its amd64 twin to the archive's
# current version (never a removal): those upgrades are listed before they happen.
set -euo pipefail
cd "$(dirname "$0")/.."
. toolchain/cross-arch.sh
cross_arch_init "${1:-}" || {
  echo "usage: bash toolchain/setup-cross.sh arm64|armhf" >&2
  exit 2
}

# Library packages of scripts/setup.sh that a cross-build does not install for ARCH, and why.
declare -A NOT_FOR_CROSS=(
  [libzbar-dev]="only the benchmarks (bench/) use zbar and a cross-build has CK_BENCH=OFF; besides, libzbar-dev:ARCH pulls libmagick++-dev, whose dependencies libopenexr-dev and libwmf-dev are not co-installable: apt would remove the amd64 ones"
  [libbenchmark-dev]="only the benchmarks use Google Benchmark, and a cross-build has CK_BENCH=OFF"
  [libclang-rt-14-dev]="clang's sanitizer runtime for the host's fuzz and ASan builds; a cross-build uses GCC without sanitizers"
)
# -dev packages that have no `Multi-Arch: same` (the ARCH one would replace the amd64 one, which the
# host's own builds need): the ARCH package is unpacked from the Debian archive into
# $CROSS_UNPACKED (which toolchain/*.cmake search first), and the runtime library named here is
# installed for ARCH as usual.
declare -A UNPACKED_DEV=(
  [libpq-dev]=libpq5
)

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
APT=($SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600)

# has_line TEXT REGEX: a whole line of TEXT matches (no `cmd | grep -q`: grep may end the pipe
# before cmd has written all, which pipefail reports).
has_line() { grep -qx -- "$2" <<<"$1"; }
# installed NAME[:ARCH]: without ARCH, the host's (amd64 or all) package.
installed() {
  local want="$1" arch
  [[ "$want" == *:* ]] || want="$1:$(dpkg --print-architecture)"
  arch="${want##*:}"
  has_line "$(dpkg-query -W -f='${Architecture} ${Status}\n' "${want%:*}" 2>/dev/null || true)" \
    "\($arch\|all\) install ok installed"
}

# "ARCHITECTURE|MULTI-ARCH" of the host's package $1 (amd64 or all): from dpkg when it is
# installed (fast), else from the archive.
pkg_kind() {
  local line
  line="$(dpkg-query -W -f='${db:Status-Abbrev}|${Architecture}|${Multi-Arch}\n' "$1" 2>/dev/null |
    grep -E "^ii *\|($(dpkg --print-architecture)|all)\|" | head -n 1 || true)"
  if [ -n "$line" ]; then
    echo "${line#*|}"
  else
    apt-cache show --no-all-versions "$1" 2>/dev/null |
      awk -F': ' '/^Architecture:/ { a = $2 } /^Multi-Arch:/ { m = $2 } END { print a "|" m }'
  fi
}

# The package list of scripts/setup.sh, one name a line.
setup_packages() {
  sed -n '/^PACKAGES=(/,/^)/p' scripts/setup.sh | sed '1d;$d;s/#.*//' | tr -s ' \t' '\n' | sed '/^$/d'
}

add_architecture() {
  local need_update=0
  if ! has_line "$(dpkg --print-foreign-architectures)" "$CROSS_ARCH"; then
    echo "setup-cross: dpkg --add-architecture $CROSS_ARCH" >&2
    $SUDO dpkg --add-architecture "$CROSS_ARCH"
    need_update=1
  fi
  installed "libc6:$CROSS_ARCH" || apt-cache show "libc6:$CROSS_ARCH" >/dev/null 2>&1 || need_update=1
  if ((need_update)); then
    echo "setup-cross: apt-get update" >&2
    "${APT[@]}" update -qq
  fi
}

# Fills HOST (amd64 packages), TARGET (ARCH packages) and UNPACK (-dev packages to unpack).
classify_packages() {
  HOST=("g++-$CROSS_TRIPLET" qemu-user)
  TARGET=()
  UNPACK=()
  local p arch ma
  for p in $(setup_packages); do
    if [ -n "${NOT_FOR_CROSS[$p]:-}" ]; then
      continue
    fi
    if [[ "$p" != *-dev ]]; then
      HOST+=("$p")
      continue
    fi
    if [ -n "${UNPACKED_DEV[$p]:-}" ]; then
      UNPACK+=("$p")
      TARGET+=("${UNPACKED_DEV[$p]}:$CROSS_ARCH")
      continue
    fi
    IFS='|' read -r arch ma <<<"$(pkg_kind "$p")"
    if [ "$arch" = all ]; then
      HOST+=("$p")  # headers only, one package for every architecture
    elif [ "$ma" = same ]; then
      TARGET+=("$p:$CROSS_ARCH")
    else
      echo "setup-cross: $p (Multi-Arch: ${ma:-none}) cannot be installed beside its amd64 package;" \
        "add it to NOT_FOR_CROSS or UNPACKED_DEV in toolchain/setup-cross.sh" >&2
      exit 1
    fi
  done
}

install_packages() {
  local missing=() p sim
  for p in "${HOST[@]}" "${TARGET[@]}"; do
    installed "$p" || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  sim="$("${APT[@]}" -s install --no-install-recommends "${missing[@]}" 2>&1)" || {
    echo "$sim" >&2
    exit 1
  }
  if grep -q '^Remv ' <<<"$sim"; then
    echo "setup-cross: installing ${missing[*]} would remove:" >&2
    grep '^Remv ' <<<"$sim" >&2
    echo "setup-cross: nothing installed" >&2
    exit 1
  fi
  local upgrades
  upgrades="$(grep -E '^Inst [^ ]+ \[' <<<"$sim" | grep -v ":$CROSS_ARCH " | awk '{print $2}' | tr '\n' ' ' || true)"
  [ -z "$upgrades" ] || echo "setup-cross: upgraded to match the $CROSS_ARCH versions: $upgrades" >&2
  echo "setup-cross: installing ${missing[*]}" >&2
  INSTALLED_SOME=1
  "${APT[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Unpacks the ARCH build of -dev package $1 into $CROSS_UNPACKED (once per version): its .pc files
# point there, and its development symlinks (libX.so) at the runtime library installed for ARCH.
unpack_dev() {
  local p="$1" version stamp tmp deb link target
  version="$(apt-cache show --no-all-versions "$p:$CROSS_ARCH" | sed -n 's/^Version: //p' | head -n 1)"
  stamp="$CROSS_UNPACKED/.unpacked-$p"
  [ "$(cat "$stamp" 2>/dev/null)" != "$version" ] || return 0
  echo "setup-cross: unpacking $p:$CROSS_ARCH $version into $CROSS_UNPACKED" >&2
  tmp="$(mktemp -d)"
  chmod 0777 "$tmp"  # apt-get download drops privileges to _apt
  (cd "$tmp" && apt-get download -qq "$p:$CROSS_ARCH=$version")
  deb="$(ls "$tmp"/*.deb)"
  $SUDO mkdir -p "$CROSS_UNPACKED"
  $SUDO dpkg-deb -x "$deb" "$CROSS_UNPACKED"
  rm -rf "$tmp"
  $SUDO find "$CROSS_UNPACKED" -name '*.pc' -exec sed -i "s|^prefix=/usr\$|prefix=$CROSS_UNPACKED/usr|" {} +
  for link in $(find "$CROSS_UNPACKED/usr/lib/$CROSS_TRIPLET" -maxdepth 1 -type l); do
    [ -e "$link" ] && continue
    target="/usr/lib/$CROSS_TRIPLET/$(basename "$(readlink "$link")")"
    [ -e "$target" ] || {
      echo "setup-cross: $link points at $target, which $p's runtime package did not install" >&2
      exit 1
    }
    $SUDO ln -sfn "$target" "$link"
  done
  echo "$version" | $SUDO tee "$stamp" >/dev/null
}

INSTALLED_SOME=0
add_architecture
classify_packages
install_packages
for p in "${UNPACK[@]}"; do
  unpack_dev "$p"
done
((INSTALLED_SOME)) || exit 0
for p in "${!NOT_FOR_CROSS[@]}"; do
  if has_line "$(setup_packages)" "$p"; then
    echo "setup-cross: $p not installed for $CROSS_ARCH: ${NOT_FOR_CROSS[$p]//ARCH/$CROSS_ARCH}" >&2
  fi
done
