#include "kernels/kernels.h"

#include <atomic>
#include <cstdlib>

#include "weights/error.h"

namespace et {
namespace {

const KernelTable* table_for(Isa isa) {
  if (!isa_runnable(isa)) return nullptr;
  switch (isa) {
    case Isa::reference: return &reference_kernel_table();
#if defined(ET_HAVE_X86_KERNELS)
    case Isa::avx2: return &avx2_kernel_table();
    case Isa::avx512: return &avx512_kernel_table();
#endif
#if defined(ET_HAVE_NEON_KERNELS)
    case Isa::neon: return &neon_kernel_table();
#endif
    default: return nullptr;
  }
}

const KernelTable* initial_table() {
  if (const char* forced = std::getenv("ET_ISA"); forced != nullptr && *forced != '\0') {
    const Isa isa = parse_isa(forced);
    if (const KernelTable* t = table_for(isa)) return t;
    throw Error(std::string("ET_ISA=") + forced + ": this build or CPU cannot run it");
  }
  return table_for(runnable_isas().back());
}

std::atomic<const KernelTable*> g_active{nullptr};

}  // namespace

const KernelTable& kernel_table(Isa isa) {
  const KernelTable* t = table_for(isa);
  if (t == nullptr) throw Error(std::string("ISA ") + isa_name(isa) + ": this build or CPU cannot run it");
  return *t;
}

const KernelTable& active_kernels() {
  const KernelTable* t = g_active.load(std::memory_order_acquire);
  if (t == nullptr) {
    t = initial_table();
    g_active.store(t, std::memory_order_release);
  }
  return *t;
}

void set_active_isa(Isa isa) { g_active.store(&kernel_table(isa), std::memory_order_release); }

}  // namespace et
