#include "kernels/isa.h"

#include <algorithm>
#include <cstdint>

#include "weights/error.h"

namespace et {
namespace {

#if defined(__x86_64__)
// XCR0 bits the OS sets when it saves the register state on context switch:
// 1-2 SSE/AVX (ymm), 5-7 AVX-512 (opmask, zmm0-15 upper, zmm16-31).
std::uint64_t xcr0() {
  std::uint32_t lo = 0, hi = 0;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (std::uint64_t{hi} << 32) | lo;
}

bool os_saves(std::uint64_t mask) {
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx")) return false;  // implies OSXSAVE was checked by cpuid
  return (xcr0() & mask) == mask;
}
#endif

}  // namespace

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::reference: return "reference";
    case Isa::avx2: return "avx2";
    case Isa::avx512: return "avx512";
    case Isa::neon: return "neon";
  }
  return "unknown";
}

Isa parse_isa(const std::string& name) {
  for (Isa isa : {Isa::reference, Isa::avx2, Isa::avx512, Isa::neon})
    if (name == isa_name(isa)) return isa;
  throw Error("ISA '" + name + "': expected one of reference, avx2, avx512, neon");
}

std::vector<Isa> runnable_isas() {
  std::vector<Isa> isas = {Isa::reference};
#if defined(__x86_64__) && defined(ET_HAVE_X86_KERNELS)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && os_saves(0x6)) isas.push_back(Isa::avx2);
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") && os_saves(0xE6))
    isas.push_back(Isa::avx512);
#endif
#if defined(__aarch64__) && defined(ET_HAVE_NEON_KERNELS)
  isas.push_back(Isa::neon);  // Advanced SIMD is mandatory on AArch64
#endif
  return isas;
}

bool isa_runnable(Isa isa) {
  const auto isas = runnable_isas();
  return std::find(isas.begin(), isas.end(), isa) != isas.end();
}

}  // namespace et
