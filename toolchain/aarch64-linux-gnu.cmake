# CMake toolchain file: cardkiosk for arm64 (aarch64: Raspberry Pi 3/4/5 with a 64-bit OS) with
# Debian 12's g++-aarch64-linux-gnu and the multiarch -dev:arm64 packages; tests run under
# qemu-aarch64. Set-up: bash toolchain/setup-cross.sh arm64. Build and test: bash toolchain/cross-build.sh arm64,
# or by hand:
#   cmake -S . -B build/cross-arm64 -G Ninja --toolchain toolchain/aarch64-linux-gnu.cmake \
#         -DCMAKE_BUILD_TYPE=Release -DCK_BENCH=OFF
set(CK_CROSS_TRIPLET aarch64-linux-gnu)
set(CK_CROSS_ARCH arm64)
set(CK_CROSS_QEMU qemu-aarch64)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
include(${CMAKE_CURRENT_LIST_DIR}/debian-cross.cmake)
