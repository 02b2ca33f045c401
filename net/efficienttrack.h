#pragma once
#include <memory>
#include <vector>

#include "net/layers.h"
#include "net/model.h"

namespace et {

// EfficientTrack (models.md section 2): a conv3x3 or conv2x2 stem (C/8..C,
// BatchNorm folded, HardSwish), learned position tables, `depth` blocks
// ffn0 -> mixer -> ffn1 over [template; search] = 320 tokens, final
// LayerNorm, center or corner head (BatchNorm folded). Block types AF, FAF,
// GAF, FGAF; norm flavour bn (BatchNorm in 1x1 convs, ReLU FFN, GA without
// LayerNorm) or ln (LayerNorm + GELU FFN, LayerNorm before GA). Every FFN
// is C -> mlp_ratio*C -> C; the A mixer has `heads` heads of C/heads, GA
// `heads` groups with key dim key_dim and value dim value_dim.
//
// Tensor names (blob order): pos_embed_z [64,C], pos_embed_x [256,C],
// patch_embed.{0..3}.weight/bias, then per block i blocks.i.ffn0.* (FAF,
// FGAF), blocks.i.mixer.*, blocks.i.ffn1.*, then norm.*, box_head.*.
std::vector<LayerSpec> efficienttrack_layers(const ModelConfig& config);

std::unique_ptr<FamilyModel> make_efficienttrack(const BlobFile& blob);

}  // namespace et
