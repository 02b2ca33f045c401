#pragma once
#include <memory>
#include <vector>

#include "net/layers.h"
#include "net/model.h"
#include "net/tensor_specs.h"

namespace et {

// vittrack-zoo (models.md section 1): conv3x3 stem C/8..C with HardSwish,
// learned position tables, `depth` pre-norm ViT blocks over [template;
// search] = 320 tokens, final LayerNorm, center head. Channels, heads, depth,
// MLP ratio and head width come from the config (the trained model: C=48,
// 1 head, depth 3, ratio 4, head 32).

// The layers such a model is made of, in blob order.
std::vector<LayerSpec> vittrack_zoo_layers(const ModelConfig& config);

// The tensors such a blob must hold, PyTorch names and layouts (FORMAT.md).
std::vector<TensorSpec> vittrack_zoo_tensor_specs(const ModelConfig& config);

// Checks the blob against the specs and binds the weights.
std::unique_ptr<FamilyModel> make_vittrack_zoo(const BlobFile& blob);

}  // namespace et
