// The smallest complete model configs the tests and the fuzz seeds build
// blobs from: one block, one attention head of the full width, an 8-channel
// head tower, 128/256-pixel crops. random_blob_bytes() turns one into a valid
// blob of a few tens of KB.
#pragma once
#include <cstdint>

#include "weights/model_config.h"

namespace et::test {

inline ModelConfig tiny_config(std::uint32_t family, std::uint32_t block_type, std::uint32_t norm,
                               std::uint32_t patch_embed, std::uint32_t head_kind, std::uint32_t channels,
                               std::uint32_t mlp_ratio) {
  ModelConfig c;
  c.family = family;
  c.depth = 1;
  c.channels = channels;
  c.heads = 1;
  c.block_type = block_type;
  c.norm = norm;
  c.patch_embed = patch_embed;
  c.head_kind = head_kind;
  c.head_channels = 8;
  c.template_size = 128;
  c.search_size = 256;
  c.mlp_ratio = mlp_ratio;
  c.key_dim = channels;
  c.value_dim = channels;
  return c;
}

}  // namespace et::test
