#pragma once
#include "kernels/isa.h"

namespace et::bench {

// Measured FP32 FMA throughput of one core for `isa` in GFLOP/s: a loop of
// independent fused multiply-adds on registers (no memory traffic), the
// ceiling every kernel is compared against. Returns 0 if not runnable.
double measure_fma_peak_gflops(Isa isa);

}  // namespace et::bench
