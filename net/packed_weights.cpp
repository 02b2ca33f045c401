#include "net/packed_weights.h"

#include <cstdlib>

#include "net/layers.h"
#include "weights/error.h"

namespace et {

void PackedWeights::Free::operator()(float* p) const { std::free(p); }

void PackedWeights::pack(LinearWeights& w) {
  const int in = w.in / w.groups, out = w.out / w.groups;
  const std::size_t group_floats = kernels_->packed_linear_floats(out, in);
  const std::size_t bytes = (group_floats * std::size_t(w.groups) * sizeof(float) + 63) / 64 * 64;
  auto* data = static_cast<float*>(std::aligned_alloc(64, bytes));
  if (data == nullptr) throw Error("packing weights: out of memory (" + std::to_string(bytes) + " bytes)");
  buffers_.emplace_back(data);
  // Group g: rows [g*out, (g+1)*out) of the [out_total, in] weight.
  for (int g = 0; g < w.groups; ++g)
    kernels_->pack_linear(w.weight + std::size_t(g) * out * in, w.bias ? w.bias + std::size_t(g) * out : nullptr, out,
                          in, data + std::size_t(g) * group_floats);
  w.packed = data;
  w.packed_group_floats = group_floats;
}

}  // namespace et
