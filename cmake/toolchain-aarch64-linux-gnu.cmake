# Cross-compiling for AArch64 (NEON kernels) with Debian's
# g++-aarch64-linux-gnu; tests run under qemu-user (tools/test_neon.sh).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64 -L /usr/aarch64-linux-gnu)
# Header-only dependencies (xsimd, doctest, stb) come from the host's
# /usr/include; their CMake configs live in the host's multiarch folders.
list(APPEND CMAKE_PREFIX_PATH /usr/lib/x86_64-linux-gnu/cmake /usr/lib/cmake)
