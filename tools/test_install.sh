#!/usr/bin/env bash
# The installed package works the way a consumer uses it: installs BUILD_DIR
# into a temporary prefix, checks what is installed (only et_* exported, the
# SONAME, headers that need nothing but the C/C++ standard library), builds
# examples/track_sequence.c against it with find_package (shared and static)
# and with pkg-config + cc (shared and static), runs each on the first frames
# of SEQUENCE_DIR and checks the lines equal `efficienttrack track`'s.
#   tools/test_install.sh BUILD_DIR CLI MODEL SEQUENCE_DIR
# Exits 77 (CTest: skipped) only when pkg-config is not installed.
set -euo pipefail
build=$(cd "$1" && pwd) cli=$2 model=$3 sequence=$4
src=$(cd "$(dirname "$0")/.." && pwd)
frames=8
command -v pkg-config >/dev/null || { echo "pkg-config is not installed (tools/setup.sh installs it)"; exit 77; }
cc=${CC:-cc} cxx=${CXX:-c++}
# One thread per tracker, as the engine is tuned (boxes do not depend on it);
# spinning OpenMP threads slow a loaded 2-core machine down tenfold.
export OMP_NUM_THREADS=1

work="$build/test_install"
rm -rf "$work"
mkdir -p "$work"
prefix="$work/prefix"
fail() { echo "FAIL: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$prefix" >"$work/install.log"

# --- what is installed --------------------------------------------------------
shared=$(find "$prefix" -name 'libefficienttrack.so.*.*.*' -type f)
static=$(find "$prefix" -name 'libefficienttrack.a' -type f)
[ -n "$shared" ] && [ -n "$static" ] || fail "libefficienttrack.so.X.Y.Z or libefficienttrack.a not installed"
libdir=$(dirname "$shared")
soname=$(objdump -p "$shared" | awk '$1 == "SONAME" {print $2}')
[[ "$soname" =~ ^libefficienttrack\.so\.[0-9]+(\.[0-9]+)?$ ]] || fail "SONAME: got '$soname', expected libefficienttrack.so.N"
[ -e "$libdir/$soname" ] && [ -e "$libdir/libefficienttrack.so" ] || fail "$soname or libefficienttrack.so link missing"
exported=$(nm -D --defined-only "$shared" | awk '{print $3}')
others=$(grep -v '^et_' <<<"$exported" || true)
[ -z "$others" ] || fail "libefficienttrack.so exports symbols other than et_*:"$'\n'"$others"
for fn in et_model_load et_tracker_update et_last_error; do
  grep -qx "$fn" <<<"$exported" || fail "libefficienttrack.so does not export $fn"
done
headers=$(cd "$prefix/include" && find . -type f | sort | tr '\n' ' ')
[ "$headers" = "./efficienttrack.h ./efficienttrack.hpp " ] || fail "installed headers: got $headers, expected efficienttrack.h(pp) only"
includes=$(grep -h '^#include' "$prefix/include/"* | sort -u | tr '\n' ' ')
allowed='#include "efficienttrack.h" #include <cstddef> #include <stddef.h> #include <stdexcept> #include <string> #include <utility> '
[ "$includes" = "$allowed" ] || fail "installed headers include: got $includes, expected only standard headers"
# The C header is C89 and C++ too; the wrapper is C++17.
echo '#include "efficienttrack.h"' >"$work/c89.c"
"$cc" -std=c89 -pedantic-errors -Wall -Wextra -Werror -fsyntax-only -I"$prefix/include" "$work/c89.c"
echo '#include "efficienttrack.hpp"' >"$work/cxx17.cpp"
"$cxx" -std=c++17 -Wall -Wextra -Wpedantic -Werror -fsyntax-only -I"$prefix/include" "$work/cxx17.cpp"

# --- the example, built four ways -------------------------------------------------
cmake -S "$src/examples" -B "$work/example" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix" \
  >"$work/example_configure.log" || { cat "$work/example_configure.log"; fail "configuring examples/ against the package"; }
cmake --build "$work/example" -j 2 >"$work/example_build.log" || { cat "$work/example_build.log"; fail "building examples/"; }

export PKG_CONFIG_PATH="$libdir/pkgconfig"
pkg-config --exists efficienttrack || fail "pkg-config cannot find efficienttrack.pc in $PKG_CONFIG_PATH"
read -r -a cflags <<<"$(pkg-config --cflags efficienttrack)"
read -r -a libs <<<"$(pkg-config --libs efficienttrack)"
read -r -a static_libs <<<"$(pkg-config --static --libs efficienttrack)"
# -l:libefficienttrack.a: the archive, though the .so sits next to it.
static_libs=("${static_libs[@]/#-lefficienttrack/-l:libefficienttrack.a}")
flags=(-std=c99 -Wall -Wextra -Wpedantic -Werror -O2)
"$cc" "${flags[@]}" "${cflags[@]}" "$src/examples/track_sequence.c" -o "$work/pkg_config_shared" "${libs[@]}" \
  -Wl,-rpath,"$libdir"
"$cc" "${flags[@]}" "${cflags[@]}" "$src/examples/track_sequence.c" -o "$work/pkg_config_static" "${static_libs[@]}"
# ldd's output is taken whole before it is searched: under pipefail, `ldd | grep -q`
# fails whenever grep's early exit makes ldd die of SIGPIPE (a CI run did).
static_deps=$(ldd "$work/pkg_config_static") shared_deps=$(ldd "$work/pkg_config_shared")
if grep -q libefficienttrack <<<"$static_deps"; then fail "pkg_config_static links libefficienttrack.so"; fi
grep -q "$libdir/$soname" <<<"$shared_deps" || fail "pkg_config_shared does not load $libdir/$soname:"$'\n'"$shared_deps"

# --- each tracks like the CLI ---------------------------------------------------
"$cli" track --model "$model" --sequence "$sequence" --frames "$frames" >"$work/cli.txt" 2>/dev/null
[ "$(wc -l <"$work/cli.txt")" -eq "$frames" ] || fail "efficienttrack track wrote $(wc -l <"$work/cli.txt") lines, expected $frames"
for program in "$work/example/track_sequence" "$work/example/track_sequence_static" \
               "$work/pkg_config_shared" "$work/pkg_config_static"; do
  out="$work/$(basename "$program").txt"
  "$program" "$model" "$sequence" "$frames" >"$out"
  diff -u "$work/cli.txt" "$out" || fail "$(basename "$program"): boxes differ from efficienttrack track's"
  echo "$(basename "$program"): $frames frames, the same lines as efficienttrack track"
done
rm -rf "$work"
