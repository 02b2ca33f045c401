// AArch64 Advanced SIMD instantiation.
#include "kernels/simd/simd_kernels.h"

namespace et {

const KernelTable& neon_kernel_table() {
  static const KernelTable table = simd::SimdKernels<xsimd::neon64>::table(Isa::neon);
  return table;
}

}  // namespace et
