#include "weights/model_config.h"

#include "weights/blob_format.h"
#include "weights/error.h"

namespace et {
namespace {

std::string unknown(std::uint32_t code) { return "unknown(" + std::to_string(code) + ")"; }

void require(bool ok, const std::string& where, const char* field, std::uint32_t got,
             const std::string& expected) {
  if (!ok)
    throw Error(where + ": config " + field + ": got " + std::to_string(got) + ", expected " +
                expected);
}

}  // namespace

std::string family_name(std::uint32_t family) {
  switch (family) {
    case blob::kFamilyNone: return "none";
    case blob::kFamilyVittrackZoo: return "vittrack-zoo";
    case blob::kFamilyEfficientTrack: return "efficienttrack";
    case blob::kFamilyVittrack: return "vittrack";
    default: return unknown(family);
  }
}

std::string block_type_name(std::uint32_t block_type) {
  switch (block_type) {
    case blob::kBlockVit: return "vit";
    case blob::kBlockAF: return "af";
    case blob::kBlockFAF: return "faf";
    case blob::kBlockGAF: return "gaf";
    case blob::kBlockFGAF: return "fgaf";
    default: return unknown(block_type);
  }
}

std::string norm_name(std::uint32_t norm) {
  switch (norm) {
    case blob::kNormLayerNorm: return "ln";
    case blob::kNormBatchNorm: return "bn";
    default: return unknown(norm);
  }
}

std::string patch_embed_name(std::uint32_t patch_embed) {
  switch (patch_embed) {
    case blob::kPatchConv3x3: return "conv3x3";
    case blob::kPatchConv2x2: return "conv2x2";
    case blob::kPatchStandard: return "standard";
    default: return unknown(patch_embed);
  }
}

std::string head_kind_name(std::uint32_t head_kind) {
  switch (head_kind) {
    case blob::kHeadCenter: return "center";
    case blob::kHeadCorner: return "corner";
    default: return unknown(head_kind);
  }
}

void validate_config(const ModelConfig& c, const std::string& where) {
  require(c.reserved0 == 0, where, "reserved0", c.reserved0, "0");
  require(c.reserved1 == 0, where, "reserved1", c.reserved1, "0");
  if (c.family == blob::kFamilyNone) {
    require(c == ModelConfig{}, where, "family", c.family,
            "every other field 0 for family none (a plain tensor container)");
    return;
  }
  require(c.family <= blob::kFamilyVittrack, where, "family", c.family, "1, 2 or 3");
  require(c.block_type <= blob::kBlockFGAF, where, "block_type", c.block_type, "0..4");
  require(c.norm <= blob::kNormBatchNorm, where, "norm", c.norm, "0 or 1");
  require(c.patch_embed <= blob::kPatchStandard, where, "patch_embed", c.patch_embed, "0..2");
  require(c.head_kind <= blob::kHeadCorner, where, "head_kind", c.head_kind, "0 or 1");
  require(c.depth >= 1 && c.depth <= 64, where, "depth", c.depth, "1..64");
  require(c.channels >= 8 && c.channels <= 4096 && c.channels % 8 == 0, where, "channels",
          c.channels, "a multiple of 8 in 8..4096 (the patch embed uses C/8)");
  require(c.heads >= 1 && c.channels % c.heads == 0, where, "heads", c.heads,
          "a divisor of channels " + std::to_string(c.channels));
  require(c.head_channels >= 8 && c.head_channels % 8 == 0 && c.head_channels <= 4096, where,
          "head_channels", c.head_channels, "a multiple of 8 in 8..4096 (the head uses ch/8)");
  // Patch stride 16: a 128/256 crop gives 8x8/16x16 tokens.
  require(c.template_size == 128, where, "template_size", c.template_size, "128");
  require(c.search_size == 256, where, "search_size", c.search_size, "256");
  require(c.key_dim >= 1 && c.key_dim <= c.channels, where, "key_dim", c.key_dim,
          "1..channels");
  require(c.value_dim >= 1 && c.value_dim <= c.channels, where, "value_dim", c.value_dim,
          "1..channels");
  if (c.family != blob::kFamilyEfficientTrack) {
    require(c.block_type == blob::kBlockVit, where, "block_type", c.block_type,
            "0 (vit) for the " + family_name(c.family) + " family");
    require(c.norm == blob::kNormLayerNorm, where, "norm", c.norm, "0 (ln) for ViT blocks");
    require(c.mlp_ratio >= 1 && c.mlp_ratio <= 16, where, "mlp_ratio", c.mlp_ratio, "1..16");
    require(c.key_dim * c.heads == c.channels, where, "key_dim", c.key_dim,
            "channels / heads = " + std::to_string(c.channels / c.heads));
    require(c.value_dim == c.key_dim, where, "value_dim", c.value_dim,
            std::to_string(c.key_dim) + " (= key_dim in ViT attention)");
  } else {
    require(c.block_type != blob::kBlockVit, where, "block_type", c.block_type,
            "1..4 (af, faf, gaf, fgaf) for efficienttrack");
    require(c.patch_embed != blob::kPatchStandard, where, "patch_embed", c.patch_embed,
            "0 or 1 (conv3x3, conv2x2) for efficienttrack");
    require(c.mlp_ratio >= 1 && c.mlp_ratio <= 16, where, "mlp_ratio", c.mlp_ratio, "1..16 (FFN hidden / C)");
    require(c.value_dim * c.heads == c.channels, where, "value_dim", c.value_dim,
            "channels / heads = " + std::to_string(c.channels / c.heads));
    const bool group = c.block_type == blob::kBlockGAF || c.block_type == blob::kBlockFGAF;
    if (!group)
      require(c.key_dim == c.value_dim, where, "key_dim", c.key_dim,
              std::to_string(c.value_dim) + " (= channels / heads in A blocks)");
  }
  if (c.family == blob::kFamilyVittrackZoo) {
    require(c.patch_embed == blob::kPatchConv3x3, where, "patch_embed", c.patch_embed,
            "0 (conv3x3) for vittrack-zoo");
    require(c.head_kind == blob::kHeadCenter, where, "head_kind", c.head_kind,
            "0 (center) for vittrack-zoo");
  }
}

}  // namespace et
