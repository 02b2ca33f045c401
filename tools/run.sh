#!/usr/bin/env bash
# Sets up, builds, and runs the main job on the default model and data:
# vittrack-zoo on a real frame pair of ../shared/sequences (extra arguments
# go to `efficienttrack run`).
set -euo pipefail
cd "$(dirname "$0")/.."
./tools/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j "$(nproc)"
exec ./build/efficienttrack run "$@"
