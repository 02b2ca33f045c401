// Instruction sets the engine has kernels for, and which of them this CPU
// (and its OS) can run.
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace et {

enum class Isa {
  reference,  // plain C++ loops (kernels/ref): the yardstick
  avx2,       // x86-64 AVX2 + FMA3 (xsimd fma3<avx2>)
  avx512,     // x86-64 AVX-512 F/BW/DQ/VL (xsimd avx512bw)
  neon,       // AArch64 Advanced SIMD (xsimd neon64)
};

const char* isa_name(Isa isa);  // "reference", "avx2", "avx512", "neon"
// Accepts the names above; throws et::Error listing them otherwise.
Isa parse_isa(const std::string& name);

// Compiled into this build and supported by this CPU and OS, best last;
// always starts with Isa::reference.
std::vector<Isa> runnable_isas();
bool isa_runnable(Isa isa);

}  // namespace et
