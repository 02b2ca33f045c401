#pragma once
#include <cstddef>
#include <memory>
#include <vector>

#include "kernels/kernels.h"

namespace et {

struct LinearWeights;
struct ConvWeights;

// Weights rewritten once, at model load: linear layers repacked into the
// layout of one kernel table's GEMM (KernelTable::pack_linear), and convs
// concatenated to run as one (a head's towers; a copy beside the blob's
// tensors). Owned by a family model and shared read-only by all its
// networks, which must run that same table.
class PackedWeights {
 public:
  explicit PackedWeights(const KernelTable& kernels) : kernels_(&kernels) {}

  const KernelTable& kernels() const { return *kernels_; }

  // Packs w.weight/w.bias (grouped layers group by group) and sets w.packed
  // and w.packed_group_floats.
  void pack(LinearWeights& w);

  // Sets fused.weight / fused.bias to a copy of the convs' weights and biases
  // one after another along the output channels (fused.g already describes
  // the concatenation).
  void concatenate(const std::vector<ConvWeights>& convs, ConvWeights& fused);

 private:
  struct Free {
    void operator()(float* p) const;
  };
  float* allocate(std::size_t floats, const char* what);
  const KernelTable* kernels_;
  std::vector<std::unique_ptr<float, Free>> buffers_;
};

}  // namespace et
