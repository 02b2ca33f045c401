#pragma once
#include <cstdint>
#include <string>

namespace et {

// The model-config section of a blob (FORMAT.md, "Config"): 16 little-endian
// u32 in this order. Enum codes are the k* constants of blob_format.h.
struct ModelConfig {
  std::uint32_t family = 0;
  std::uint32_t depth = 0;
  std::uint32_t channels = 0;
  std::uint32_t heads = 0;
  std::uint32_t block_type = 0;
  std::uint32_t norm = 0;
  std::uint32_t patch_embed = 0;
  std::uint32_t head_kind = 0;
  std::uint32_t head_channels = 0;
  std::uint32_t template_size = 0;
  std::uint32_t search_size = 0;
  std::uint32_t mlp_ratio = 0;
  std::uint32_t key_dim = 0;
  std::uint32_t value_dim = 0;
  std::uint32_t reserved0 = 0;
  std::uint32_t reserved1 = 0;

  bool operator==(const ModelConfig&) const = default;
};
static_assert(sizeof(ModelConfig) == 64, "ModelConfig mirrors the 64-byte config section");

// Readable names of the enum codes ("vittrack-zoo", "af", "ln", "conv3x3",
// "center"); "unknown(7)" for a code this build does not know.
std::string family_name(std::uint32_t family);
std::string block_type_name(std::uint32_t block_type);
std::string norm_name(std::uint32_t norm);
std::string patch_embed_name(std::uint32_t patch_embed);
std::string head_kind_name(std::uint32_t head_kind);

// Checks every enum code is known and the sizes are consistent with the
// family; throws et::Error "<where>: config <field>: got X, expected Y".
void validate_config(const ModelConfig& config, const std::string& where);

}  // namespace et
