# CMake toolchain file: cardkiosk for armhf (32-bit ARMv7 with hardware floating point: Raspberry Pi
# 2/3/4 with a 32-bit OS) with Debian 12's g++-arm-linux-gnueabihf and the multiarch -dev:armhf
# packages; tests run under qemu-arm. Set-up: bash toolchain/setup-cross.sh armhf. Build and test:
# bash toolchain/cross-build.sh armhf, or by hand:
#   cmake -S . -B build/cross-armhf -G Ninja --toolchain toolchain/arm-linux-gnueabihf.cmake \
#         -DCMAKE_BUILD_TYPE=Release -DCK_BENCH=OFF
set(CK_CROSS_TRIPLET arm-linux-gnueabihf)
set(CK_CROSS_ARCH armhf)
set(CK_CROSS_QEMU qemu-arm)
set(CMAKE_SYSTEM_PROCESSOR armv7l)
include(${CMAKE_CURRENT_LIST_DIR}/debian-cross.cmake)
