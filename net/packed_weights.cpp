#include "net/packed_weights.h"

#include <algorithm>
#include <cstdlib>
#include <string>

#include "net/layers.h"
#include "weights/error.h"

namespace et {

void PackedWeights::Free::operator()(float* p) const { std::free(p); }

float* PackedWeights::allocate(std::size_t floats, const char* what) {
  const std::size_t bytes = (floats * sizeof(float) + 63) / 64 * 64;
  auto* data = static_cast<float*>(std::aligned_alloc(64, bytes));
  if (data == nullptr) throw Error(std::string(what) + ": out of memory (" + std::to_string(bytes) + " bytes)");
  buffers_.emplace_back(data);
  return data;
}

void PackedWeights::pack(LinearWeights& w) {
  const int in = w.in / w.groups, out = w.out / w.groups;
  const std::size_t group_floats = kernels_->packed_linear_floats(out, in);
  float* data = allocate(group_floats * std::size_t(w.groups), "packing weights");
  // Group g: rows [g*out, (g+1)*out) of the [out_total, in] weight.
  for (int g = 0; g < w.groups; ++g)
    kernels_->pack_linear(w.weight + std::size_t(g) * out * in, w.bias ? w.bias + std::size_t(g) * out : nullptr, out,
                          in, data + std::size_t(g) * group_floats);
  w.packed = data;
  w.packed_group_floats = group_floats;
}

void PackedWeights::concatenate(const std::vector<ConvWeights>& convs, ConvWeights& fused) {
  auto weight_floats_of = [](const ConvGeometry& g) {
    return std::size_t(g.out) * (g.in / g.groups) * g.kernel * g.kernel;
  };
  std::size_t weight_floats = 0;
  for (const ConvWeights& c : convs) weight_floats += weight_floats_of(c.g);
  float* data = allocate(weight_floats + std::size_t(fused.g.out), "fusing convolutions");
  float* bias = data + weight_floats;
  float* w = data;
  for (const ConvWeights& c : convs) {
    w = std::copy(c.weight, c.weight + weight_floats_of(c.g), w);
    bias = c.bias != nullptr ? std::copy(c.bias, c.bias + c.g.out, bias) : std::fill_n(bias, c.g.out, 0.0f);
  }
  fused.weight = data;
  fused.bias = data + weight_floats;
  fused.has_bias = true;
}

}  // namespace et
