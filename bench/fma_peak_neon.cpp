#include "bench/fma_peak_impl.h"

namespace et::bench {
double fma_peak_neon(long iterations) { return fma_peak_gflops<xsimd::neon64>(iterations); }
}  // namespace et::bench
