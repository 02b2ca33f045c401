// The peak probe, templated over the xsimd architecture; included only by
// fma_peak_<isa>.cpp, each compiled with its ISA's flags.
#pragma once
#include <ctime>
#include <xsimd/xsimd.hpp>

namespace et::bench {

// 12 independent accumulators: more than FMA latency x pipes on every
// target (Zen: 4 cycles x 2 pipes = 8 in flight), so the loop is throughput
// bound, and with the two constants still within AVX2's 16 registers (more
// would spill and measure store forwarding instead).
template <class Arch>
double fma_peak_gflops(long iterations) {
  constexpr int kAccumulators = 12;
  using B = xsimd::batch<float, Arch>;
  B acc[kAccumulators];
  for (int i = 0; i < kAccumulators; ++i) acc[i] = B(static_cast<float>(i) * 1e-3f);
  const B mul(0.999999f), add(1e-7f);
  // Thread CPU time: on a shared core, wall time would count other
  // processes' slices and understate the peak.
  timespec start{}, stop{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &start);
  for (long it = 0; it < iterations; ++it) {
#pragma GCC unroll 12
    for (int i = 0; i < kAccumulators; ++i) acc[i] = xsimd::fma(acc[i], mul, add);
  }
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &stop);
  const double seconds = double(stop.tv_sec - start.tv_sec) + double(stop.tv_nsec - start.tv_nsec) * 1e-9;
  B total(0.0f);
  for (int i = 0; i < kAccumulators; ++i) total += acc[i];
  volatile float sink = xsimd::hadd(total);
  (void)sink;
  return 2.0 * kAccumulators * B::size * static_cast<double>(iterations) / seconds * 1e-9;
}

}  // namespace et::bench
