// AVX2 + FMA3 instantiation; compiled with -mavx2 -mfma only.
#include "kernels/simd/simd_kernels.h"

namespace et {

const KernelTable& avx2_kernel_table() {
  static const KernelTable table = simd::SimdKernels<xsimd::fma3<xsimd::avx2>>::table(Isa::avx2);
  return table;
}

}  // namespace et
