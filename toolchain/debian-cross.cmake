# The part of toolchain/aarch64-linux-gnu.cmake and toolchain/arm-linux-gnueabihf.cmake that is the
# same for both: Debian 12's cross compiler for CK_CROSS_TRIPLET, the libraries of the multiarch
# `-dev:ARCH` packages in /usr/lib/CK_CROSS_TRIPLET (installed by toolchain/setup-cross.sh), and
# qemu-user to run the target's programs (the tests, through CMAKE_CROSSCOMPILING_EMULATOR).
# Set before including: CK_CROSS_TRIPLET, CK_CROSS_ARCH (Debian's name), CMAKE_SYSTEM_PROCESSOR,
# CK_CROSS_QEMU.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_C_COMPILER ${CK_CROSS_TRIPLET}-gcc)
set(CMAKE_CXX_COMPILER ${CK_CROSS_TRIPLET}-g++)

# Multiarch: find_library/find_package look in /usr/lib/CK_CROSS_TRIPLET (never in the host's
# /usr/lib/x86_64-linux-gnu); headers that differ by architecture are in /usr/include/TRIPLET,
# which the cross compiler searches itself.
set(CMAKE_LIBRARY_ARCHITECTURE ${CK_CROSS_TRIPLET})
# The -dev packages that cannot be installed beside their amd64 twin are unpacked here by
# toolchain/setup-cross.sh (libpq-dev): searched first, then the machine's own root.
set(CK_CROSS_UNPACKED "/opt/cardkiosk-cross/${CK_CROSS_ARCH}" CACHE PATH
    "Where toolchain/setup-cross.sh unpacks the -dev packages not co-installable with amd64's")
set(CMAKE_FIND_ROOT_PATH "${CK_CROSS_UNPACKED}" /)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# pkg-config reads only the target's .pc files (the unpacked ones first), never the host's.
set(ENV{PKG_CONFIG_LIBDIR}
    "${CK_CROSS_UNPACKED}/usr/lib/${CK_CROSS_TRIPLET}/pkgconfig:/usr/lib/${CK_CROSS_TRIPLET}/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")

# The target's programs run under qemu-user, with the target's dynamic linker and libraries from
# the multiarch directories (/lib/ld-linux-*.so and /usr/lib/TRIPLET, from libc6:ARCH and the
# -dev:ARCH packages' runtime libraries): the same glibc build a Debian board runs. ctest and
# gtest_discover_tests use it by themselves; tests that start one of the project's programs in a
# child process get it as CK_TEST_EMULATOR (tests/CMakeLists.txt).
find_program(CK_CROSS_QEMU_PATH ${CK_CROSS_QEMU} REQUIRED)
set(CMAKE_CROSSCOMPILING_EMULATOR "${CK_CROSS_QEMU_PATH}")
