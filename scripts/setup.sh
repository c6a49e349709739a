#!/usr/bin/env bash
# Installs every Debian package cardkiosk needs (idempotent, quiet when all are there) and
# configures + builds one build tree.
#   scripts/setup.sh [release|asan|fuzz]   (default: release)
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libssl-dev zlib1g-dev libzxing-dev libpng-dev libturbojpeg0-dev libwebp-dev nlohmann-json3-dev
  libsqlite3-dev libzstd-dev time libcpp-httplib-dev libmicrohttpd-dev libcurl4-openssl-dev libpq-dev postgresql libzbar-dev
  libsdl2-dev libsdl2-ttf-dev xvfb xauth
  libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev clang-format clang-tidy
  libtomlplusplus-dev libsystemd-dev libevdev-dev libxlsxwriter-dev
  systemd
  libcairo2-dev libpango1.0-dev fonts-dejavu-core
  chromium chromium-driver python3-selenium python3-openpyxl
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

flavour="${1:-release}"
jobs="$(nproc)"
case "$flavour" in
  release)
    cmake -S . -B build/release -G Ninja -DCK_WERROR=ON -DCMAKE_BUILD_TYPE=Release -DCK_TESTS=OFF >/dev/null
    cmake --build build/release -j "$jobs"
    ;;
  asan)
    cmake -S . -B build/asan -G Ninja -DCK_WERROR=ON -DCMAKE_BUILD_TYPE=Debug -DCK_SANITIZE=ON -DCK_BENCH=OFF >/dev/null
    cmake --build build/asan -j "$jobs"
    ;;
  fuzz)
    CC=clang CXX=clang++ cmake -S . -B build/fuzz -G Ninja -DCK_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCK_FUZZ=ON -DCK_TESTS=OFF -DCK_BENCH=OFF >/dev/null
    cmake --build build/fuzz -j "$jobs" --target fuzz_card_text fuzz_cose_payload fuzz_qr_frame
    ;;
  *)
    echo "usage: scripts/setup.sh [release|asan|fuzz]" >&2
    exit 2
    ;;
esac
