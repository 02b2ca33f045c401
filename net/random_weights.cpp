#include "net/random_weights.h"

#include <cmath>

#include "net/model.h"
#include "weights/blob_writer.h"
#include "weights/error.h"

namespace et {
namespace {

constexpr std::uint64_t kGolden = 0x9E3779B97F4A7C15ull;  // splitmix64's increment

// splitmix64's output function.
std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// (center, scale) per tensor kind; FORMAT.md lists the same table. Every
// constant is exact in float32.
struct Init {
  float center, scale;
};
constexpr Init kLayerNormWeight{1.0f, 0.25f}, kLayerNormBias{0.0f, 0.25f};
constexpr Init kBatchNormWeight{1.0f, 0.25f}, kBatchNormBias{0.0f, 0.25f};
constexpr Init kRunningMean{0.0f, 0.25f}, kRunningVar{1.0f, 0.5f};
constexpr Init kTable{0.0f, 0.125f};
// PyTorch's BatchNorm eps 1e-5, rounded from double as numpy's float32(1e-5) does.
const float kBatchNormEps = static_cast<float>(1e-5);

// Weights and biases of conv and linear layers: U[-1/sqrt(fan_in), 1/sqrt(fan_in)),
// the bound rounded once from double (PyTorch's default init range).
Init fan_in_init(const std::vector<std::int64_t>& weight_shape) {
  std::int64_t fan_in = 1;
  for (std::size_t i = 1; i < weight_shape.size(); ++i) fan_in *= weight_shape[i];
  return {0.0f, static_cast<float>(1.0 / std::sqrt(static_cast<double>(fan_in)))};
}

std::size_t count_of(const std::vector<std::int64_t>& shape) {
  std::size_t n = 1;
  for (std::int64_t d : shape) n *= static_cast<std::size_t>(d);
  return n;
}

std::vector<float> draw(std::uint64_t seed, const std::string& name, std::size_t count, Init init) {
  return random_tensor(seed, name, count, init.center, init.scale);
}

// Folds BatchNorm into a conv in place: s = gamma / sqrt(var + eps),
// w[o, :] *= s[o], b[o] = (b[o] - mean[o]) * s[o] + beta[o]; float32, in
// this order (tools/family_common.py fold_batch_norm does the same).
void fold_batch_norm(std::vector<float>& weight, std::vector<float>& bias, const std::vector<float>& gamma,
                     const std::vector<float>& beta, const std::vector<float>& mean, const std::vector<float>& var) {
  const std::size_t out = bias.size(), per_out = weight.size() / out;
  for (std::size_t o = 0; o < out; ++o) {
    const float s = gamma[o] / std::sqrt(var[o] + kBatchNormEps);
    for (std::size_t k = 0; k < per_out; ++k) weight[o * per_out + k] = weight[o * per_out + k] * s;
    bias[o] = (bias[o] - mean[o]) * s + beta[o];
  }
}

}  // namespace

std::uint64_t fnv1a64(const std::string& name) {
  std::uint64_t h = 0xCBF29CE484222325ull;
  for (unsigned char c : name) {
    h ^= c;
    h *= 0x100000001B3ull;
  }
  return h;
}

std::vector<float> random_tensor(std::uint64_t seed, const std::string& name, std::size_t count, float center,
                                 float scale) {
  const std::uint64_t state = fnv1a64(name) ^ mix64(seed);
  std::vector<float> v(count);
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint64_t r = mix64(state + (i + 1) * kGolden);
    const float u = static_cast<float>(r >> 40) * 0x1p-24f;  // 24 bits: exact
    const float t = 2.0f * u - 1.0f;                          // exact
    v[i] = center + t * scale;
  }
  return v;
}

std::vector<unsigned char> random_blob_bytes(const ModelConfig& config, std::uint64_t seed) {
  validate_config(config, "random weights (seed " + std::to_string(seed) + ")");
  BlobWriter writer(config);
  for (const LayerSpec& l : family_layers(config)) {
    const std::size_t n = count_of(l.shape);
    switch (l.kind) {
      case LayerKind::conv:
      case LayerKind::linear: {
        const Init init = fan_in_init(l.shape);
        writer.add(l.name + ".weight", l.shape, draw(seed, l.name + ".weight", n, init));
        if (l.bias) writer.add(l.name + ".bias", {l.shape[0]}, draw(seed, l.name + ".bias", std::size_t(l.shape[0]), init));
        break;
      }
      case LayerKind::conv_bn: {
        const Init init = fan_in_init(l.shape);
        const std::size_t out = static_cast<std::size_t>(l.shape[0]);
        std::vector<float> weight = draw(seed, l.name + ".conv.weight", n, init);
        std::vector<float> bias = l.bias ? draw(seed, l.name + ".conv.bias", out, init) : std::vector<float>(out, 0.0f);
        const std::string bn = l.name + ".bn.";
        fold_batch_norm(weight, bias, draw(seed, bn + "weight", out, kBatchNormWeight),
                        draw(seed, bn + "bias", out, kBatchNormBias), draw(seed, bn + "running_mean", out, kRunningMean),
                        draw(seed, bn + "running_var", out, kRunningVar));
        writer.add(l.name + ".weight", l.shape, weight);
        writer.add(l.name + ".bias", {l.shape[0]}, bias);
        break;
      }
      case LayerKind::layer_norm:
        writer.add(l.name + ".weight", l.shape, draw(seed, l.name + ".weight", n, kLayerNormWeight));
        writer.add(l.name + ".bias", l.shape, draw(seed, l.name + ".bias", n, kLayerNormBias));
        break;
      case LayerKind::table:
        writer.add(l.name, l.shape, draw(seed, l.name, n, kTable));
        break;
    }
  }
  return writer.bytes();
}

std::shared_ptr<const BlobFile> random_blob(const ModelConfig& config, std::uint64_t seed, const std::string& name) {
  validate_config(config, name);
  const std::vector<unsigned char> bytes = random_blob_bytes(config, seed);
  return BlobFile::from_memory(bytes.data(), bytes.size(), name);
}

}  // namespace et
