#pragma once
#include <memory>
#include <vector>

#include "net/layers.h"
#include "net/model.h"

namespace et {

// The VitTrack family (models.md section 3): a standard (16x16 s16 conv with
// bias), conv3x3 or conv2x2 stem (C/8..C, BatchNorm folded, HardSwish), a
// learned class token, tokens [cls; search; template] = 321 plus a fixed
// sine-cosine table, `depth` pre-norm ViT blocks (heads of C/heads, qkv with
// bias, GELU MLP of mlp_ratio*C), final LayerNorm, the search tokens
// 1..256 to a center or corner head (BatchNorm folded).
//
// Tensor names (blob order): cls_token [1,C], patch_embed.*, blocks.i.norm1,
// blocks.i.attn.qkv/proj, blocks.i.norm2, blocks.i.mlp.fc1/fc2, norm,
// box_head.*. The position table is not stored: see sincos_position_table.
std::vector<LayerSpec> vittrack_layers(const ModelConfig& config);

std::unique_ptr<FamilyModel> make_vittrack(const BlobFile& blob);

// The fixed table [tokens, channels] (channels even): row p, columns 2i and
// 2i+1 hold sin and cos of p / 10000^(2i/channels), computed in double and
// rounded to float.
std::vector<float> sincos_position_table(int tokens, int channels);

}  // namespace et
