#include "net/model.h"

#include <cstdlib>

#include "net/config_names.h"
#include "net/efficienttrack.h"
#include "net/random_weights.h"
#include "net/vittrack.h"
#include "net/vittrack_zoo.h"
#include "weights/blob_format.h"
#include "weights/error.h"

#ifndef ET_DEFAULT_MODEL_DIR
#define ET_DEFAULT_MODEL_DIR "models"
#endif

namespace et {

StageCost block_cost(std::string name, std::uint64_t parameters, std::vector<StageCost::Part> parts) {
  StageCost cost{std::move(name), parameters, 0, 0, false, std::move(parts)};
  for (const StageCost::Part& p : cost.parts) {
    cost.macs += p.macs;
    cost.executed_macs += p.executed_macs;
  }
  return cost;
}

std::string model_dir() {
  const char* env = std::getenv("ET_MODEL_DIR");
  return (env != nullptr && *env != '\0') ? std::string(env) : std::string(ET_DEFAULT_MODEL_DIR);
}

std::string resolve_model_path(const std::string& path_or_name) {
  if (path_or_name.empty())
    throw Error("--model: empty; expected a blob path, vittrack-zoo or a config name (et-..., vit-...)");
  const bool looks_like_path = path_or_name.find('/') != std::string::npos ||
                               path_or_name.ends_with(".etb");
  if (looks_like_path) return path_or_name;
  if (path_or_name == "vittrack-zoo") return model_dir() + "/vittrack-zoo.etb";
  if (is_config_name(path_or_name))
    throw Error("model '" + path_or_name + "': a config name has no file; Model::load builds it from seeded weights");
  throw Error("unknown model '" + path_or_name +
              "': expected a blob path (containing '/' or ending in .etb), vittrack-zoo, or a config name "
              "et-c{C}-d{D}-{af|faf|gaf|fgaf}-{bn|ln}-{conv3x3|conv2x2}-{center|corner} or "
              "vit-d{D}-c{C}-{standard|conv3x3|conv2x2}-{center|corner}");
}

std::shared_ptr<const Model> Model::load(const std::string& path_or_name) { return load(path_or_name, 0); }

std::shared_ptr<const Model> Model::load(const std::string& path_or_name, std::uint64_t seed) {
  if (is_config_name(path_or_name))
    return from_blob(random_blob(parse_config_name(path_or_name), seed,
                                 path_or_name + " (seed " + std::to_string(seed) + ", generated)"));
  return from_blob(BlobFile::open(resolve_model_path(path_or_name)));
}

std::vector<LayerSpec> family_layers(const ModelConfig& config) {
  switch (config.family) {
    case blob::kFamilyVittrackZoo: return vittrack_zoo_layers(config);
    case blob::kFamilyEfficientTrack: return efficienttrack_layers(config);
    case blob::kFamilyVittrack: return vittrack_layers(config);
    default:
      throw Error("config family: got " + family_name(config.family) +
                  ", expected vittrack-zoo, efficienttrack or vittrack");
  }
}

std::shared_ptr<const Model> Model::from_blob(std::shared_ptr<const BlobFile> blob) {
  return std::make_shared<const Model>(PrivateTag{}, std::move(blob));
}

Model::Model(PrivateTag, std::shared_ptr<const BlobFile> blob) : blob_(std::move(blob)) {
  switch (blob_->config().family) {
    case blob::kFamilyVittrackZoo:
      family_ = make_vittrack_zoo(*blob_);
      break;
    case blob::kFamilyEfficientTrack:
      family_ = make_efficienttrack(*blob_);
      break;
    case blob::kFamilyVittrack:
      family_ = make_vittrack(*blob_);
      break;
    case blob::kFamilyNone:
      throw Error(blob_->path() + ": config family: got 0 (none: a tensor container such as a "
                  "golden file), expected a model");
    default:
      throw Error(blob_->path() + ": config family: got " + family_name(blob_->config().family) +
                  ", which this build cannot run (supported: vittrack-zoo, efficienttrack, vittrack)");
  }
}

std::uint64_t Model::parameter_count() const {
  std::uint64_t n = 0;
  for (const TensorInfo& t : blob_->tensors()) n += t.element_count();
  return n;
}

std::unique_ptr<Network> Model::create_network(int max_batch) const {
  if (max_batch < 1 || max_batch > kMaxBatch)
    throw Error("network: batch of " + std::to_string(max_batch) + " crops, expected 1 to " +
                std::to_string(kMaxBatch));
  return family_->create_network(shared_from_this(), max_batch);
}

}  // namespace et
