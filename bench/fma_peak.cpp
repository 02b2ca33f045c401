#include "bench/fma_peak.h"

#include <algorithm>
#include <vector>

namespace et::bench {

double fma_peak_avx2(long iterations);
double fma_peak_avx512(long iterations);
double fma_peak_neon(long iterations);

double measure_fma_peak_gflops(Isa isa) {
  if (!isa_runnable(isa)) return 0.0;
  double (*probe)(long) = nullptr;
#if defined(ET_HAVE_X86_KERNELS)
  if (isa == Isa::avx2) probe = fma_peak_avx2;
  if (isa == Isa::avx512) probe = fma_peak_avx512;
#endif
#if defined(ET_HAVE_NEON_KERNELS)
  if (isa == Isa::neon) probe = fma_peak_neon;
#endif
  if (probe == nullptr) return 0.0;
  probe(2'000'000);  // warm-up: clocks up
  std::vector<double> runs;
  for (int i = 0; i < 7; ++i) runs.push_back(probe(20'000'000));
  return *std::max_element(runs.begin(), runs.end());  // the ceiling: best of runs
}

}  // namespace et::bench
