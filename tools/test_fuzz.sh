#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz/ with clang (ASan + UBSan) and
# runs each on a temporary copy of its committed seed corpus
# (tests/fuzz/generated/corpus/<target>/), so runs never grow the committed one.
# Fails on any crash, sanitizer report, leak, timeout or out-of-memory; the
# input that caused it is kept in BUILD_DIR/crashes/. Called by CTest
# (tools/setup.sh installs clang and libclang-rt-14-dev).
#   tools/test_fuzz.sh [BUILD_DIR]              build and run every target
#   tools/test_fuzz.sh BUILD_DIR --make-seeds   rewrite tests/fuzz/generated/corpus/
#
# The test suite's run is reproducible: a fixed seed and a fixed number of
# inputs per target (about 20 s each here), so a commit cannot fail CI on a
# find that is unrelated to it. Searching for new bugs is a separate, longer
# run with a random seed:
#   ET_FUZZ_SEED=0 ET_FUZZ_SECONDS=600 tools/test_fuzz.sh build/fuzz
# ET_FUZZ_SEED: libFuzzer seed (default 1; 0 picks a random one, and the run
#   is then bounded by time only); ET_FUZZ_RUNS: inputs per target (default
#   per target below); ET_FUZZ_SECONDS: time cap per target (default 60, or
#   the run's length with ET_FUZZ_SEED=0); ET_FUZZ_TARGETS: which targets
#   (default "blob image groundtruth").
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build-fuzz}"
seed="${ET_FUZZ_SEED:-1}"
seconds="${ET_FUZZ_SECONDS:-60}"
# Inputs per target for the reproducible run (each about 20 s on one core here).
declare -A default_runs=([blob]=25000 [image]=20000 [groundtruth]=300000)
skip=77  # CTest's SKIP_RETURN_CODE for this test

clangxx="$(command -v clang++ || true)"
if [ -z "$clangxx" ]; then
  echo "test_fuzz: clang++ not found (tools/setup.sh installs clang); skipped"
  exit $skip
fi
if ! echo 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }' |
     "$clangxx" -x c++ -fsanitize=fuzzer - -o /dev/null 2>/dev/null; then
  echo "test_fuzz: $clangxx cannot link -fsanitize=fuzzer (tools/setup.sh installs libclang-rt-14-dev); skipped"
  exit $skip
fi

mkdir -p "$build"
cmake -S "$root/tests/fuzz" -B "$build" -DCMAKE_CXX_COMPILER="$clangxx" > "$build/configure.log" 2>&1 \
  || { cat "$build/configure.log"; exit 1; }

if [ "${2:-}" = "--make-seeds" ]; then
  cmake --build "$build" -j "$(nproc)" --target make_seeds
  rm -rf "$root/tests/fuzz/generated/corpus"
  "$build/make_seeds" "$root/tests/fuzz/generated/corpus"
  exit 0
fi

start=$(date +%s)
cmake --build "$build" -j "$(nproc)" > "$build/build.log" 2>&1 || { cat "$build/build.log"; exit 1; }
echo "test_fuzz: built in $(( $(date +%s) - start )) s"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$build/crashes"
status=0
for target in ${ET_FUZZ_TARGETS:-blob image groundtruth}; do
  mkdir -p "$work/$target"
  cp -r "$root/tests/fuzz/generated/corpus/$target/." "$work/$target/"
  seeds=$(ls "$work/$target" | wc -l)
  dict=()
  [ -f "$root/tests/fuzz/$target.dict" ] && dict=(-dict="$root/tests/fuzz/$target.dict")
  # Inputs that once crashed run first, read-only (new inputs go to the first folder).
  regressions=()
  [ -d "$root/tests/fuzz/generated/regressions/$target" ] && regressions=("$root/tests/fuzz/generated/regressions/$target")
  # -timeout: one input may take at most 25 s (inputs take well under 1 s;
  # the margin is for a loaded CI machine); -rss_limit_mb also caps any one malloc.
  bound=(-max_total_time="$seconds")
  [ "$seed" != 0 ] && bound+=(-runs="${ET_FUZZ_RUNS:-${default_runs[$target]:-20000}}")
  started=$(date +%s)
  if "$build/fuzz_$target" "${dict[@]}" -seed="$seed" "${bound[@]}" -timeout=25 -rss_limit_mb=2560 \
       -print_final_stats=1 -artifact_prefix="$build/crashes/${target}-" "$work/$target" "${regressions[@]}" > "$work/$target.log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$target.log")
    used_seed=$(sed -n 's/^INFO: Seed: *//p' "$work/$target.log")
    echo "fuzz_$target: ${runs:-?} executions in $(( $(date +%s) - started )) s (seed ${used_seed:-$seed}), corpus $seeds -> $(ls "$work/$target" | wc -l) inputs"
  else
    status=1
    echo "fuzz_$target: FAILED; the input is in $build/crashes/ (reproduce: $build/fuzz_$target FILE)"
    grep -v '^#[0-9]' "$work/$target.log" | tail -n 80
  fi
done
exit $status
