#include "net/tensor_specs.h"

#include <unordered_set>

#include "weights/blob.h"
#include "weights/error.h"

namespace et {

void check_tensor_set(const BlobFile& blob, const std::vector<TensorSpec>& specs,
                      const std::string& model_description) {
  std::unordered_set<std::string> expected;
  for (const TensorSpec& spec : specs) {
    expected.insert(spec.name);
    const TensorInfo* t = blob.find(spec.name);
    if (t == nullptr)
      throw Error(blob.path() + ": tensor " + spec.name + ": missing (expected shape " +
                  shape_string(spec.shape) + " for " + model_description + ")");
    if (t->shape != spec.shape)
      throw Error(blob.path() + ": tensor " + spec.name + ": shape " + shape_string(t->shape) +
                  ", expected " + shape_string(spec.shape));
  }
  for (const TensorInfo& t : blob.tensors())
    if (!expected.contains(t.name))
      throw Error(blob.path() + ": tensor " + t.name + ": unexpected for " + model_description);
}

}  // namespace et
