#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "net/layers.h"
#include "net/network.h"
#include "weights/blob.h"

namespace et {

// Parameters and multiply-accumulates of one stage of a forward pass.
// MACs count convolutions, linear layers and the two attention products;
// norms, activations and softmax are not MACs. `macs` is the model's: a full
// forward pass, as the PyTorch reference and ONNX Runtime compute it.
// `executed_macs` is what this engine runs of them: fewer in the last block,
// which updates only the search tokens the head reads (StreamRows).
struct StageCost {
  std::string name;
  std::uint64_t parameters = 0;
  std::uint64_t macs = 0;
  std::uint64_t executed_macs = 0;
  bool once_per_template = false;  // runs at init, not per frame
  // A block's sub-layers, named as the probe's layers ("blocks.2.attn",
  // "blocks.2.ffn"); their MACs add up to the stage's. Empty for other stages.
  struct Part {
    std::string name;
    std::uint64_t macs = 0;
    std::uint64_t executed_macs = 0;
  };
  std::vector<Part> parts;
};

// A block's cost from its sub-layers' (the sums of their MACs).
StageCost block_cost(std::string name, std::uint64_t parameters, std::vector<StageCost::Part> parts);

class Model;

// What a model family provides once its weights are bound and checked.
class FamilyModel {
 public:
  virtual ~FamilyModel() = default;
  virtual std::unique_ptr<Network> create_network(std::shared_ptr<const Model> model, int max_batch) const = 0;
  virtual std::vector<StageCost> stage_costs() const = 0;
};

// A loaded, validated model: the blob plus its family's view of the weights.
// Immutable and shareable: any number of Networks (trackers) on any threads.
class Model : public std::enable_shared_from_this<Model> {
 public:
  // `path_or_name`: a blob path, a built-in name (see resolve_model_path),
  // or a config name (net/config_names.h), built with seed 0.
  static std::shared_ptr<const Model> load(const std::string& path_or_name);
  // The same; a config name is built from seeded random weights
  // (net/random_weights.h), bit-identical to tools/export_family.py
  // --config NAME --seed SEED. The seed is unused for blob files.
  static std::shared_ptr<const Model> load(const std::string& path_or_name, std::uint64_t seed);
  static std::shared_ptr<const Model> from_blob(std::shared_ptr<const BlobFile> blob);

  const BlobFile& blob() const { return *blob_; }
  const ModelConfig& config() const { return blob_->config(); }
  // Every parameter stored in the blob (position tables included).
  std::uint64_t parameter_count() const;
  std::vector<StageCost> stage_costs() const { return family_->stage_costs(); }
  // A fresh per-tracker state (arena planned and allocated here, once),
  // sized for run_batch() of up to max_batch search crops (1 to kMaxBatch)
  // and for convolutions and attention on up to omp_get_max_threads()
  // threads (their scratch has a part per thread; more threads later leave
  // the extra ones out of those).
  std::unique_ptr<Network> create_network(int max_batch = 1) const;
  static constexpr int kMaxBatch = 256;

  struct PrivateTag {};
  Model(PrivateTag, std::shared_ptr<const BlobFile> blob);

 private:
  std::shared_ptr<const BlobFile> blob_;
  std::unique_ptr<const FamilyModel> family_;
};

// Built-in names map to blobs made by the build: "vittrack-zoo" ->
// $ET_MODEL_DIR/vittrack-zoo.etb (default: the build's models/ folder).
// Anything containing '/' or ending in ".etb" is a path. Throws et::Error
// for an unknown name, listing the known ones, and for a config name (it
// has no file; Model::load builds it).
std::string resolve_model_path(const std::string& path_or_name);

// The layers (blob tensors, in order) of a model with this config, for any
// family this build runs. Throws et::Error for family none or unknown.
std::vector<LayerSpec> family_layers(const ModelConfig& config);

// The folder holding the build's exported blobs ($ET_MODEL_DIR overrides).
std::string model_dir();

}  // namespace et
