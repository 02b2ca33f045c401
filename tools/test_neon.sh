#!/usr/bin/env bash
# Cross-compiles the engine and its tests for AArch64 (NEON kernels) and runs
# the kernel and parity tests under qemu-user. Called by CTest when
# aarch64-linux-gnu-g++ and qemu-aarch64 are installed (tools/setup.sh
# installs them); usage: tools/test_neon.sh [BUILD_DIR] [extra ctest args].
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build-aarch64}"
shift || true
cmake -S "$root" -B "$build" -DCMAKE_TOOLCHAIN_FILE="$root/cmake/toolchain-aarch64-linux-gnu.cmake" \
      -DCMAKE_BUILD_TYPE=Release ${ET_SHARED_DIR:+-DET_SHARED_DIR="$ET_SHARED_DIR"} > "$build.configure.log" 2>&1 \
  || { cat "$build.configure.log"; exit 1; }
cmake --build "$build" -j "$(nproc)" --target et_tests
# Kernel tests of every runnable ISA (here: reference and neon) and whole-model
# parity, through the emulator.
ctest --test-dir "$build" --output-on-failure -j "$(nproc)" -R '^(kernels|parity):' "$@"
