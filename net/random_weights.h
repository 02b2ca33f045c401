// Seeded random weights, bit-identical to tools/family_common.py's (the
// scheme is in weights/FORMAT.md, "Seeded random weights"): every tensor of
// the PyTorch reference's state_dict, BatchNorm statistics included, is
// drawn from its own stream keyed by (seed, tensor name), so the values do
// not depend on the order tensors are made in; BatchNorm is then folded in
// float32 with the exporter's operation order. This file is compiled with
// -ffp-contract=off so no multiply-add is fused.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "net/layers.h"
#include "weights/blob.h"

namespace et {

// FNV-1a, 64 bit, of the name's bytes.
std::uint64_t fnv1a64(const std::string& name);

// count values of the stream (seed, name): center + t_i * scale in float32,
// t_i in [-1, 1) on a 2^-23 grid.
std::vector<float> random_tensor(std::uint64_t seed, const std::string& name, std::size_t count, float center,
                                 float scale);

// The blob bytes of `config` with seeded random weights: the layers of its
// family (family_layers), pre-fold tensors drawn by name, BatchNorm folded.
// Byte-identical to `tools/export_family.py --config NAME --seed SEED`.
std::vector<unsigned char> random_blob_bytes(const ModelConfig& config, std::uint64_t seed);

// The same, validated and ready for Model::from_blob; `name` stands in for
// a path in messages.
std::shared_ptr<const BlobFile> random_blob(const ModelConfig& config, std::uint64_t seed, const std::string& name);

}  // namespace et
