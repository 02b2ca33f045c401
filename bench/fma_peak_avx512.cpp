#include "bench/fma_peak_impl.h"

namespace et::bench {
double fma_peak_avx512(long iterations) { return fma_peak_gflops<xsimd::avx512bw>(iterations); }
}  // namespace et::bench
