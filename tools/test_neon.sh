#!/usr/bin/env bash
# Cross-compiles the engine and its tests for AArch64 (NEON kernels) and runs
# the kernel and parity tests under qemu-user. Called by CTest when
# aarch64-linux-gnu-g++ and qemu-aarch64 are installed (tools/setup.sh
# installs them); usage: tools/test_neon.sh [BUILD_DIR [MAIN_BUILD_DIR]] [extra ctest args].
# With MAIN_BUILD_DIR, the exported models and goldens (plain files, the same
# for every platform) are copied from it, so Python does not run again.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build-aarch64}"
main_build="${2:-}"
shift $(( $# < 2 ? $# : 2 ))
jobs="$(nproc)"
mkdir -p "$build"
if [ -n "$main_build" ]; then
  for generated in models golden; do
    [ -d "$main_build/$generated" ] && cp -a "$main_build/$generated" "$build/"
  done
fi
cmake -S "$root" -B "$build" -DCMAKE_TOOLCHAIN_FILE="$root/cmake/toolchain-aarch64-linux-gnu.cmake" \
      -DCMAKE_BUILD_TYPE=Release ${ET_SHARED_DIR:+-DET_SHARED_DIR="$ET_SHARED_DIR"} > "$build/configure.log" 2>&1 \
  || { cat "$build/configure.log"; exit 1; }
cmake --build "$build" -j "$jobs" --target et_kernel_parity_tests
# Kernel tests of every runnable ISA (here: reference and neon) and whole-model
# parity, through the emulator. ET_TEST_REDUCED: family parity runs the NEON
# kernels only (the reference kernels' parity is platform-independent C++,
# checked natively; under qemu it was most of this test's time).
export ET_TEST_REDUCED=1
ctest --test-dir "$build" --output-on-failure -j "$jobs" -R '^(kernels|parity):' "$@"
