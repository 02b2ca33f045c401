#!/usr/bin/env bash
# Multi-core and per-ISA figures for a machine with more cores than the
# project's 2-vCPU ones (bench.md: "make the benchmark take any thread count
# so it runs unchanged on a bigger one"). Benchmarks, not tests: it prints
# tables and writes the JSON rows of every run to OUT_DIR.
#
#   bench/scaling.sh [--cli PATH] [--kernels PATH] [--out DIR] [--runs N] [--duration S]
#
# 1. the CPU (lscpu) and which ISAs the kernel table can run;
# 2. one thread, pinned: et_bench_kernels and `bench` on the five peer
#    models, under every x86 SIMD ISA the CPU has (AVX2, AVX-512),
#    interleaved model by model;
# 3. thread sweeps (1, 2, 4, ... up to the core count) on vit-d12c256 and
#    vittrack-zoo, OpenMP threads bound to cores;
# 4. many trackers: as many vittrack-zoo trackers as cores, on 1, 2, 4, ...
#    threads (frames/s in all), then a sustained run on every core.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cli="$root/build/efficienttrack"
kernels="$root/build/et_bench_kernels"
out=""
runs=20
duration=15
usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --cli) cli="$2"; shift 2 ;;
    --kernels) kernels="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --help|-h) usage; exit 0 ;;
    *) echo "scaling.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
for tool in "$cli" "$kernels"; do
  [ -x "$tool" ] || { echo "scaling.sh: $tool is not an executable (build first, or pass --cli / --kernels)" >&2; exit 2; }
done
for tool in lscpu taskset python3; do
  command -v "$tool" > /dev/null || { echo "scaling.sh: needs $tool on the PATH" >&2; exit 2; }
done
out="${out:-$(mktemp -d /tmp/et-scaling.XXXXXX)}"
mkdir -p "$out"
cores="$(nproc)"
pin_core=$(( cores > 1 ? 1 : 0 ))   # core 0 takes most interrupts
section() { printf '\n=== %s\n' "$*"; }
# One line per single-crop latency row of a `bench --json` file.
summarise() {
  /usr/bin/env python3 - "$1" <<'EOF'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["mode"] != "latency" or r["batch"] != 1:
        continue
    print(f"{r['model']:34s} {r['isa']:7s} {r['threads']:3d} thread(s)  median {r['median_ms']:8.3f} ms"
          f"  min {r['min_ms']:8.3f} ms  {r['gflops']:6.1f} GFLOP/s  speedup {r.get('speedup', 1.0):5.2f}x")
EOF
}

section "CPU: $cores cores"
lscpu | grep -E '^(Model name|Thread|Core|Socket|NUMA node\(s\)|L1d|L2|L3|CPU max MHz)' || true
isas=()
grep -qw avx2 /proc/cpuinfo && isas+=(avx2)
grep -qw avx512f /proc/cpuinfo && grep -qw avx512bw /proc/cpuinfo && isas+=(avx512)
echo "x86 SIMD ISAs to compare: ${isas[*]:-none}"

section "one thread, pinned to core $pin_core: kernels"
for isa in "${isas[@]}"; do
  echo "--- $isa"
  OMP_NUM_THREADS=1 taskset -c "$pin_core" "$kernels" --isa "$isa" --runs 40 | tee "$out/kernels_$isa.txt"
done

section "one thread, pinned to core $pin_core: models (update medians; ISAs interleaved per model)"
models=(vittrack-zoo et-c128-d3-af-ln-conv3x3-center et-c256-d3-fgaf-ln-conv3x3-center
        vit-d3-c256-conv3x3-corner vit-d12-c256-conv2x2-corner)
for model in "${models[@]}"; do
  for isa in "${isas[@]}"; do
    OMP_NUM_THREADS=1 taskset -c "$pin_core" "$cli" bench --model "$model" --isa "$isa" --runs "$runs" \
      --warmup 3 --json > "$out/model_${model}_$isa.json"
    summarise "$out/model_${model}_$isa.json"
  done
done

sweep="1"
t=2
while [ "$t" -le "$cores" ]; do sweep="$sweep,$t"; t=$(( t * 2 )); done
[ "${sweep##*,}" = "$cores" ] || sweep="$sweep,$cores"
export OMP_PROC_BIND=close OMP_PLACES=cores
section "thread sweep $sweep (OMP_PROC_BIND=close, OMP_PLACES=cores)"
for model in vit-d12-c256-conv2x2-corner vittrack-zoo; do
  "$cli" bench --model "$model" --threads "$sweep" --runs "$runs" --warmup 3 --json > "$out/sweep_$model.json"
  summarise "$out/sweep_$model.json"
done

section "$cores vittrack-zoo trackers at once, on 1 .. $cores threads"
for t in ${sweep//,/ }; do
  "$cli" bench --model vittrack-zoo --threads "$t" --trackers "$cores" --runs "$runs" --warmup 2 \
    | grep 'trackers on' | tee -a "$out/trackers.txt"
done

section "sustained: $cores trackers on $cores threads for $duration s"
"$cli" bench --model vittrack-zoo --threads "$cores" --trackers "$cores" --duration "$duration" | tee "$out/sustained.txt" \
  | grep -v '^  ' | tail -n 25
echo
echo "JSON rows and logs: $out"
