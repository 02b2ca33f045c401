#!/usr/bin/env bash
# Sets up, builds, and runs the main job on the default model and data:
# `efficienttrack eval` of vittrack-zoo on every sequence of
# ../shared/sequences ($ET_SHARED_DIR/sequences), printing the table per
# sequence and the mean, and writing build/eval/vittrack-zoo.{json,png}
# (extra arguments go to `efficienttrack eval`, e.g. --sequences otb_Girl).
set -euo pipefail
cd "$(dirname "$0")/.."
./tools/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j "$(nproc)"
mkdir -p build/eval
# The engine is tuned for one thread per tracker; a tracker's kernels split
# over several threads only pay on large models (efficienttrack bench --threads).
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
exec ./build/efficienttrack eval --json build/eval/vittrack-zoo.json --plot build/eval/vittrack-zoo.png "$@"
