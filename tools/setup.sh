#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks to build and test efficienttrack:
# the C++ toolchain, xsimd, doctest, stb, and (build time only) Debian's
# python3-torch / python3-onnx / python3-numpy for /usr/bin/python3, and the
# AArch64 cross compiler with qemu-user for the NEON kernel tests, and clang
# with its libFuzzer/sanitizer runtimes for the fuzz targets.
# Idempotent: does nothing when every package is present.
set -euo pipefail

packages=(g++ cmake make libxsimd-dev doctest-dev libstb-dev
          python3 python3-torch python3-onnx python3-numpy
          g++-aarch64-linux-gnu qemu-user  # NEON cross tests
          clang libclang-rt-14-dev         # fuzz targets: -fsanitize=fuzzer,address,undefined
          pkg-config)                      # the installed-package test (tools/test_install.sh)

missing=()
for p in "${packages[@]}"; do
  [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
as_root=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  as_root=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update
"${as_root[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
