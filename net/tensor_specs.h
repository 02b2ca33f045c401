#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace et {

class BlobFile;

// A tensor a model requires, with its exact shape.
struct TensorSpec {
  std::string name;
  std::vector<std::int64_t> shape;
};

// The blob must hold exactly these tensors with these shapes (dtype is
// already float32, checked by the loader). Throws et::Error:
// "<path>: tensor <name>: shape [48,144], expected [144,48]", "...: missing
// (expected shape [..])", "...: unexpected for <model>".
void check_tensor_set(const BlobFile& blob, const std::vector<TensorSpec>& specs,
                      const std::string& model_description);

}  // namespace et
