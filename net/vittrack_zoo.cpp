#include "net/vittrack_zoo.h"

#include <array>
#include <cmath>
#include <string>

#include "kernels/ref/ref_kernels.h"
#include "net/arena.h"
#include "weights/error.h"

namespace et {
namespace {

constexpr int kPatchStride = 16;
constexpr int kStemStages = 4;
constexpr int kHeadTowerDepth = 4;
constexpr float kLayerNormEps = 1e-5f;
constexpr float kClipLo = 1e-4f, kClipHi = 1.0f - 1e-4f;

using Shape = std::vector<std::int64_t>;

struct ConvWeights {
  const float* weight = nullptr;  // [out, in, k, k]
  const float* bias = nullptr;    // [out]
  int in = 0, out = 0, kernel = 0, stride = 1, pad = 0;

  Conv2dShape shape(int height, int width) const {
    return {in, height, width, out, kernel, stride, pad, 1};
  }
};

struct LinearWeights {
  const float* weight = nullptr;  // [out, in]
  const float* bias = nullptr;    // [out]
  int in = 0, out = 0;

  LinearShape shape(int rows) const { return {rows, in, out, in, out}; }
};

struct NormWeights {
  const float* gamma = nullptr;  // [C]
  const float* beta = nullptr;   // [C]
};

struct BlockWeights {
  NormWeights norm1;
  LinearWeights qkv;   // C -> 3C, rows q, k, v; head h uses columns [h*d, (h+1)*d) of each
  LinearWeights proj;  // C -> C
  NormWeights norm2;
  LinearWeights fc1;   // C -> ratio*C
  LinearWeights fc2;   // ratio*C -> C
};

struct HeadBranch {
  std::array<ConvWeights, kHeadTowerDepth> tower;  // 3x3 pad 1: C -> ch -> ch/2 -> ch/4 -> ch/8, ReLU
  ConvWeights out;                                 // 1x1: ch/8 -> 1 or 2
};

// Sizes that follow from the config.
struct Dims {
  int channels, heads, head_dim, hidden, head_channels, depth;
  int template_side, search_side;  // pixels
  int template_grid, search_grid;  // tokens per side (8, 16)
  int template_tokens, search_tokens, tokens;

  explicit Dims(const ModelConfig& c)
      : channels(static_cast<int>(c.channels)),
        heads(static_cast<int>(c.heads)),
        head_dim(static_cast<int>(c.channels / c.heads)),
        hidden(static_cast<int>(c.channels * c.mlp_ratio)),
        head_channels(static_cast<int>(c.head_channels)),
        depth(static_cast<int>(c.depth)),
        template_side(static_cast<int>(c.template_size)),
        search_side(static_cast<int>(c.search_size)),
        template_grid(template_side / kPatchStride),
        search_grid(search_side / kPatchStride),
        template_tokens(template_grid * template_grid),
        search_tokens(search_grid * search_grid),
        tokens(template_tokens + search_tokens) {}

  int stem_channels(int stage) const { return channels >> (kStemStages - 1 - stage); }  // C/8..C
  int tower_channels(int level) const { return head_channels >> level; }               // ch..ch/8
};

std::string layer(int block, const char* rest) { return "blocks." + std::to_string(block) + "." + rest; }
std::string head_conv(int index, const char* branch) {
  return "box_head.conv" + std::to_string(index) + "_" + branch;
}
constexpr std::array<const char*, 3> kBranches = {"ctr", "offset", "size"};
constexpr std::array<int, 3> kBranchOutputs = {1, 2, 2};

// ---------------------------------------------------------------------------
// Weights

struct ZooWeights {
  std::array<ConvWeights, kStemStages> stem;
  const float* pos_embed_z = nullptr;  // [64, C]
  const float* pos_embed_x = nullptr;  // [256, C]
  std::vector<BlockWeights> blocks;
  NormWeights norm;
  std::array<HeadBranch, 3> head;  // score (ctr), offset, size

  ZooWeights(const BlobFile& blob, const Dims& d) {
    auto t = [&](const std::string& name) { return blob.require(name).data; };
    auto conv = [&](const std::string& prefix, int in, int out, int kernel, int stride, int pad) {
      return ConvWeights{t(prefix + ".weight"), t(prefix + ".bias"), in, out, kernel, stride, pad};
    };
    auto linear = [&](const std::string& prefix, int in, int out) {
      return LinearWeights{t(prefix + ".weight"), t(prefix + ".bias"), in, out};
    };
    auto norm_of = [&](const std::string& prefix) {
      return NormWeights{t(prefix + ".weight"), t(prefix + ".bias")};
    };
    int in = 3;
    for (int s = 0; s < kStemStages; ++s) {
      stem[static_cast<std::size_t>(s)] = conv("patch_embed." + std::to_string(s), in, d.stem_channels(s), 3, 2, 1);
      in = d.stem_channels(s);
    }
    pos_embed_z = t("pos_embed_z");
    pos_embed_x = t("pos_embed_x");
    for (int b = 0; b < d.depth; ++b) {
      blocks.push_back({norm_of(layer(b, "norm1")), linear(layer(b, "attn.qkv"), d.channels, 3 * d.channels),
                        linear(layer(b, "attn.proj"), d.channels, d.channels), norm_of(layer(b, "norm2")),
                        linear(layer(b, "mlp.fc1"), d.channels, d.hidden),
                        linear(layer(b, "mlp.fc2"), d.hidden, d.channels)});
    }
    norm = norm_of("norm");
    for (std::size_t br = 0; br < kBranches.size(); ++br) {
      int tin = d.channels;
      for (int level = 0; level < kHeadTowerDepth; ++level) {
        head[br].tower[static_cast<std::size_t>(level)] =
            conv(head_conv(level + 1, kBranches[br]), tin, d.tower_channels(level), 3, 1, 1);
        tin = d.tower_channels(level);
      }
      head[br].out = conv(head_conv(5, kBranches[br]), tin, kBranchOutputs[br], 1, 1, 0);
    }
  }
};

std::uint64_t conv_macs(const ConvWeights& c, int in_side) {
  const Conv2dShape s = c.shape(in_side, in_side);
  return std::uint64_t(s.out_height()) * s.out_width() * c.out * c.in * c.kernel * c.kernel;
}
std::uint64_t conv_params(const ConvWeights& c) {
  return std::uint64_t(c.out) * c.in * c.kernel * c.kernel + c.out;
}
std::uint64_t linear_params(const LinearWeights& l) { return std::uint64_t(l.out) * l.in + l.out; }

// ---------------------------------------------------------------------------
// The per-tracker network

class ZooNetwork final : public Network {
 public:
  ZooNetwork(std::shared_ptr<const Model> model, const ZooWeights& w, const Dims& d)
      : model_(std::move(model)), w_(w), d_(d) {
    plan_arena();
  }

  void set_template(const float* z, ActivationProbe* probe) override {
    const float* embedded = run_stem(z, d_.template_side);
    float* out = arena_.at(plan_.offset(template_tokens_));
    add_positions(embedded, w_.pos_embed_z, d_.template_tokens, out);
    emit(probe, "patch_embed.z", out, {d_.template_tokens, d_.channels});
    has_template_ = true;
  }

  void run(const float* x, ActivationProbe* probe) override {
    if (!has_template_) throw Error("network: run() before set_template(): no template embedding");
    const std::size_t C = static_cast<std::size_t>(d_.channels);
    // The stem first: its early buffers may share memory with `tokens`.
    const float* search_embedding = run_stem(x, d_.search_side);
    float* tokens = at(tokens_);
    // [template; search] token order.
    const float* template_tokens = at(template_tokens_);
    std::copy(template_tokens, template_tokens + d_.template_tokens * C, tokens);
    float* search_tokens = tokens + d_.template_tokens * C;
    add_positions(search_embedding, w_.pos_embed_x, d_.search_tokens, search_tokens);
    emit(probe, "patch_embed.x", search_tokens, {d_.search_tokens, d_.channels});

    for (int b = 0; b < d_.depth; ++b) run_block(w_.blocks[static_cast<std::size_t>(b)], b, probe);

    float* normed = at(normed_);
    ref::layer_norm(tokens, d_.tokens, d_.channels, w_.norm.gamma, w_.norm.beta, kLayerNormEps, normed);
    emit(probe, "norm", normed, {d_.tokens, d_.channels});
    // Search tokens [256, C] -> feature map [C, 16, 16].
    float* feature = at(feature_);
    ref::transpose(normed + d_.template_tokens * C, d_.search_tokens, d_.channels, feature);
    run_head(feature, probe);
  }

  CenterHeadMaps center_maps() const override {
    const std::size_t cells = static_cast<std::size_t>(d_.search_tokens);
    return {{at(score_), cells}, {at(size_), 2 * cells}, {at(offset_), 2 * cells}};
  }

  std::size_t arena_bytes() const override { return arena_.floats() * sizeof(float); }

 private:
  // Forward-pass steps for buffer liveness (ArenaPlan).
  enum Step { kStem0, kStem1, kStem2, kStem3, kTokens, kBlocks, kFinalNorm, kHead, kLast = kHead };

  void plan_arena() {
    const std::size_t C = static_cast<std::size_t>(d_.channels);
    const std::size_t N = static_cast<std::size_t>(d_.tokens);
    const std::size_t cells = static_cast<std::size_t>(d_.search_tokens);
    int side = d_.search_side;  // the search crop is the larger input
    for (int s = 0; s < kStemStages; ++s) {
      side /= 2;
      stem_[static_cast<std::size_t>(s)] =
          plan_.request(std::size_t(d_.stem_channels(s)) * side * side, kStem0 + s, kStem0 + s + 1);
    }
    template_tokens_ = plan_.request(std::size_t(d_.template_tokens) * C, kStem0, kLast);
    tokens_ = plan_.request(N * C, kTokens, kFinalNorm);
    normed_ = plan_.request(N * C, kBlocks, kFinalNorm);
    qkv_ = plan_.request(N * 3 * C, kBlocks, kBlocks);
    attn_out_ = plan_.request(N * C, kBlocks, kBlocks);
    hidden_ = plan_.request(N * std::size_t(d_.hidden), kBlocks, kBlocks);
    scores_ = plan_.request(N, kBlocks, kBlocks);
    feature_ = plan_.request(C * cells, kFinalNorm, kHead);
    tower_a_ = plan_.request(std::size_t(d_.tower_channels(0)) * cells, kHead, kHead);
    tower_b_ = plan_.request(std::size_t(d_.tower_channels(1)) * cells, kHead, kHead);
    score_ = plan_.request(cells, kStem0, kLast);
    size_ = plan_.request(2 * cells, kStem0, kLast);
    offset_ = plan_.request(2 * cells, kStem0, kLast);
    arena_ = Arena(plan_.finalize());
  }

  float* at(ArenaPlan::Id id) { return arena_.at(plan_.offset(id)); }
  const float* at(ArenaPlan::Id id) const { return arena_.at(plan_.offset(id)); }

  // Four conv3x3 stride 2 stages on a [3, side, side] crop; HardSwish after
  // the first three. Returns the [C, side/16, side/16] embedding.
  const float* run_stem(const float* image, int side) {
    const float* in = image;
    for (int s = 0; s < kStemStages; ++s) {
      const ConvWeights& c = w_.stem[static_cast<std::size_t>(s)];
      const Conv2dShape shape = c.shape(side, side);
      float* out = at(stem_[static_cast<std::size_t>(s)]);
      ref::conv2d(shape, in, c.weight, c.bias, out);
      side = shape.out_height();
      if (s + 1 < kStemStages) ref::hardswish(out, std::size_t(c.out) * side * side);
      in = out;
    }
    return in;
  }

  // tokens[t, c] = embedding[c, t] + pos[t, c]
  void add_positions(const float* embedding_chw, const float* pos, int count, float* tokens) const {
    const int C = d_.channels;
    ref::transpose(embedding_chw, C, count, tokens);
    ref::add(tokens, pos, std::size_t(count) * C);
  }

  void run_block(const BlockWeights& bw, int index, ActivationProbe* probe) {
    const int N = d_.tokens, C = d_.channels, D = d_.head_dim;
    float* tokens = at(tokens_);
    float* normed = at(normed_);
    float* qkv = at(qkv_);
    float* attn = at(attn_out_);
    ref::layer_norm(tokens, N, C, bw.norm1.gamma, bw.norm1.beta, kLayerNormEps, normed);
    ref::linear(bw.qkv.shape(N), normed, bw.qkv.weight, bw.qkv.bias, qkv);
    for (int h = 0; h < d_.heads; ++h) {
      const AttentionShape s{N, N, D, D, 3 * C, 3 * C, 3 * C, C, 1.0f / std::sqrt(static_cast<float>(D))};
      ref::attention(s, qkv + h * D, qkv + C + h * D, qkv + 2 * C + h * D, attn + h * D, at(scores_));
    }
    ref::linear(bw.proj.shape(N), attn, bw.proj.weight, bw.proj.bias, normed);
    ref::add(tokens, normed, std::size_t(N) * C);
    emit(probe, layer(index, "attn"), tokens, {N, C});

    float* hidden = at(hidden_);
    ref::layer_norm(tokens, N, C, bw.norm2.gamma, bw.norm2.beta, kLayerNormEps, normed);
    ref::linear(bw.fc1.shape(N), normed, bw.fc1.weight, bw.fc1.bias, hidden);
    ref::gelu_erf(hidden, std::size_t(N) * d_.hidden);
    ref::linear(bw.fc2.shape(N), hidden, bw.fc2.weight, bw.fc2.bias, normed);
    ref::add(tokens, normed, std::size_t(N) * C);
    emit(probe, "blocks." + std::to_string(index), tokens, {N, C});
  }

  void run_head(const float* feature, ActivationProbe* probe) {
    const int side = d_.search_grid;
    const std::size_t cells = std::size_t(side) * side;
    const std::array<ArenaPlan::Id, 3> outputs = {score_, offset_, size_};
    for (std::size_t br = 0; br < kBranches.size(); ++br) {
      const HeadBranch& branch = w_.head[br];
      const float* in = feature;
      for (int level = 0; level < kHeadTowerDepth; ++level) {
        const ConvWeights& c = branch.tower[static_cast<std::size_t>(level)];
        float* out = at(level % 2 == 0 ? tower_a_ : tower_b_);
        ref::conv2d(c.shape(side, side), in, c.weight, c.bias, out);
        ref::relu(out, std::size_t(c.out) * cells);
        in = out;
      }
      float* out = at(outputs[br]);
      ref::conv2d(branch.out.shape(side, side), in, branch.out.weight, branch.out.bias, out);
      if (outputs[br] != offset_) ref::sigmoid_clip(out, std::size_t(branch.out.out) * cells, kClipLo, kClipHi);
    }
    emit(probe, "head.score", at(score_), {1, side, side});
    emit(probe, "head.size", at(size_), {2, side, side});
    emit(probe, "head.offset", at(offset_), {2, side, side});
  }

  static void emit(ActivationProbe* probe, const std::string& name, const float* data,
                   std::initializer_list<std::int64_t> shape) {
    if (probe == nullptr) return;
    std::size_t n = 1;
    for (std::int64_t s : shape) n *= static_cast<std::size_t>(s);
    const std::vector<std::int64_t> dims(shape);
    probe->observe(name, {data, n}, dims);
  }

  std::shared_ptr<const Model> model_;  // keeps the weights mapped
  const ZooWeights& w_;
  const Dims& d_;
  ArenaPlan plan_;
  Arena arena_;
  std::array<ArenaPlan::Id, kStemStages> stem_{};
  ArenaPlan::Id template_tokens_{}, tokens_{}, normed_{}, qkv_{}, attn_out_{}, hidden_{}, scores_{},
      feature_{}, tower_a_{}, tower_b_{}, score_{}, size_{}, offset_{};
  bool has_template_ = false;
};

// ---------------------------------------------------------------------------
// The family

class ZooFamily final : public FamilyModel {
 public:
  explicit ZooFamily(const BlobFile& blob) : dims_(blob.config()), weights_(blob, dims_) {}

  std::unique_ptr<Network> create_network(std::shared_ptr<const Model> model) const override {
    return std::make_unique<ZooNetwork>(std::move(model), weights_, dims_);
  }

  std::vector<StageCost> stage_costs() const override {
    const Dims& d = dims_;
    const std::uint64_t N = std::uint64_t(d.tokens), C = std::uint64_t(d.channels);
    std::vector<StageCost> costs;
    StageCost search{"patch_embed (search)", 0, 0, false};
    StageCost templ{"patch_embed (template, at init)", 0, 0, true};
    int search_side = d.search_side, template_side = d.template_side;
    for (const ConvWeights& c : weights_.stem) {
      search.parameters += conv_params(c);
      search.macs += conv_macs(c, search_side);
      templ.macs += conv_macs(c, template_side);
      search_side /= 2;
      template_side /= 2;
    }
    search.parameters += std::uint64_t(d.search_tokens) * C;  // pos_embed_x
    templ.parameters += std::uint64_t(d.template_tokens) * C;  // pos_embed_z
    costs.push_back(templ);
    costs.push_back(search);
    for (int b = 0; b < d.depth; ++b) {
      const BlockWeights& bw = weights_.blocks[static_cast<std::size_t>(b)];
      StageCost s{"blocks." + std::to_string(b), 4 * C, 0, false};  // two norms
      for (const LinearWeights* l : {&bw.qkv, &bw.proj, &bw.fc1, &bw.fc2}) {
        s.parameters += linear_params(*l);
        s.macs += N * std::uint64_t(l->in) * std::uint64_t(l->out);
      }
      s.macs += 2 * N * N * C;  // q k^T and p v, all heads
      costs.push_back(s);
    }
    costs.push_back({"norm", 2 * C, 0, false});
    StageCost head{"head (center)", 0, 0, false};
    for (const HeadBranch& br : weights_.head) {
      for (const ConvWeights& c : br.tower) {
        head.parameters += conv_params(c);
        head.macs += conv_macs(c, d.search_grid);
      }
      head.parameters += conv_params(br.out);
      head.macs += conv_macs(br.out, d.search_grid);
    }
    costs.push_back(head);
    return costs;
  }

 private:
  Dims dims_;
  ZooWeights weights_;
};

}  // namespace

std::vector<TensorSpec> vittrack_zoo_tensor_specs(const ModelConfig& config) {
  const Dims d(config);
  const std::int64_t C = d.channels;
  std::vector<TensorSpec> specs;
  auto conv = [&](const std::string& prefix, std::int64_t out, std::int64_t in, std::int64_t k) {
    specs.push_back({prefix + ".weight", {out, in, k, k}});
    specs.push_back({prefix + ".bias", {out}});
  };
  auto vec = [&](const std::string& prefix, const char* a, const char* b, std::int64_t n) {
    specs.push_back({prefix + a, {n}});
    specs.push_back({prefix + b, {n}});
  };
  std::int64_t in = 3;
  for (int s = 0; s < kStemStages; ++s) {
    conv("patch_embed." + std::to_string(s), d.stem_channels(s), in, 3);
    in = d.stem_channels(s);
  }
  specs.push_back({"pos_embed_z", {d.template_tokens, C}});
  specs.push_back({"pos_embed_x", {d.search_tokens, C}});
  for (int b = 0; b < d.depth; ++b) {
    vec(layer(b, "norm1"), ".weight", ".bias", C);
    specs.push_back({layer(b, "attn.qkv.weight"), {3 * C, C}});
    specs.push_back({layer(b, "attn.qkv.bias"), {3 * C}});
    specs.push_back({layer(b, "attn.proj.weight"), {C, C}});
    specs.push_back({layer(b, "attn.proj.bias"), {C}});
    vec(layer(b, "norm2"), ".weight", ".bias", C);
    specs.push_back({layer(b, "mlp.fc1.weight"), {d.hidden, C}});
    specs.push_back({layer(b, "mlp.fc1.bias"), {d.hidden}});
    specs.push_back({layer(b, "mlp.fc2.weight"), {C, d.hidden}});
    specs.push_back({layer(b, "mlp.fc2.bias"), {C}});
  }
  vec("norm", ".weight", ".bias", C);
  for (std::size_t br = 0; br < kBranches.size(); ++br) {
    std::int64_t tin = C;
    for (int level = 0; level < kHeadTowerDepth; ++level) {
      conv(head_conv(level + 1, kBranches[br]), d.tower_channels(level), tin, 3);
      tin = d.tower_channels(level);
    }
    conv(head_conv(5, kBranches[br]), kBranchOutputs[br], tin, 1);
  }
  return specs;
}

std::unique_ptr<FamilyModel> make_vittrack_zoo(const BlobFile& blob) {
  const ModelConfig& c = blob.config();
  check_tensor_set(blob, vittrack_zoo_tensor_specs(c),
                   "vittrack-zoo (depth " + std::to_string(c.depth) + ", channels " +
                       std::to_string(c.channels) + ")");
  return std::make_unique<ZooFamily>(blob);
}

}  // namespace et
