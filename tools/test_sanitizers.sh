#!/usr/bin/env bash
# Builds the project with sanitizers in a folder of its own and runs tests
# there; CTest calls it from the main build (CMakeLists.txt, "sanitizers").
# usage: tools/test_sanitizers.sh address,undefined|thread BUILD_DIR [MAIN_BUILD_DIR] [extra ctest args]
#
# address,undefined: AddressSanitizer (with LeakSanitizer) and UBSan over the
#   whole test suite, except the NEON cross-build (its own test in the main
#   build) and the tests that only run Python.
# thread: ThreadSanitizer over the multi-tracker tests ("many trackers:"),
#   with OMP_NUM_THREADS=1: the trackers run on std::threads and each network
#   on its own thread, as tools/run.sh runs them. GCC's libgomp is not
#   instrumented, so TSan cannot see the synchronisation inside an OpenMP
#   team and would report its workers' accesses as races; with one OpenMP
#   thread per tracker every report is about our code (the shared Model, the
#   per-tracker state).
#
# Both: -O1 -g1 (line tables for the reports' stack traces, without the
# variable locations of -g, which cost a third of the build time); ET_TEST_REDUCED=1 so the long tests (tracker parity over
# whole sequences, the 10,000-update soak, family parity under the reference
# kernels) run their reduced form; OMP_NUM_THREADS=1, since ctest already runs
# two tests at once (the tests that vary the thread count still set it).
# With thread, the SIMD and reference kernels are not instrumented
# (CMakeLists.txt says why).
# MAIN_BUILD_DIR: a built main build whose Python-generated files (exported
# model, goldens) are copied first with their times, so this build does not
# run the Python exports again; they are the same for every C++ configuration.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
sanitize="${1:?usage: $0 address,undefined|thread BUILD_DIR [MAIN_BUILD_DIR] [ctest args]}"
build="${2:?usage: $0 address,undefined|thread BUILD_DIR [MAIN_BUILD_DIR] [ctest args]}"
main_build="${3:-}"
shift $(( $# < 3 ? $# : 3 ))
case "$sanitize" in
  address,undefined) targets=(et_tests et_alloc_tests); tests=(-E '^(neon_|python_)') ;;
  thread) targets=(et_thread_tests); tests=(-R '^many trackers:') ;;
  *) echo "$0: sanitizers: got '$sanitize', expected address,undefined or thread" >&2; exit 2 ;;
esac

jobs="$(nproc)"  # before OMP_NUM_THREADS=1 below, which nproc obeys
mkdir -p "$build"
if [ -n "$main_build" ]; then
  for generated in models golden; do
    [ -d "$main_build/$generated" ] && cp -a "$main_build/$generated" "$build/"
  done
fi
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" \
      -DET_SANITIZE="$sanitize" ${ET_SHARED_DIR:+-DET_SHARED_DIR="$ET_SHARED_DIR"} > "$build/configure.log" 2>&1 \
  || { cat "$build/configure.log"; exit 1; }
cmake --build "$build" -j "$jobs" --target "${targets[@]}"

export ET_TEST_REDUCED=1
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1"
export OMP_NUM_THREADS=1
ctest --test-dir "$build" --output-on-failure -j "$jobs" "${tests[@]}" "$@"
