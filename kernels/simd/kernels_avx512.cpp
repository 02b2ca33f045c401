// AVX-512 (F, BW, DQ, VL) instantiation; compiled with those flags only.
#include "kernels/simd/simd_kernels.h"

namespace et {

const KernelTable& avx512_kernel_table() {
  static const KernelTable table = simd::SimdKernels<xsimd::avx512bw>::table(Isa::avx512);
  return table;
}

}  // namespace et
