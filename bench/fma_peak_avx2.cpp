#include "bench/fma_peak_impl.h"

namespace et::bench {
double fma_peak_avx2(long iterations) { return fma_peak_gflops<xsimd::fma3<xsimd::avx2>>(iterations); }
}  // namespace et::bench
