#include "net/vittrack.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "net/packed_weights.h"
#include "net/token_network.h"
#include "weights/blob_format.h"

namespace et {
namespace {

struct Dims {
  int channels, heads, hidden, head_channels, depth;
  std::uint32_t patch_embed, head_kind;
  int template_side, search_side;  // pixels
  int search_grid, template_tokens, search_tokens;
  int tokens;                      // 1 + search + template
  int first_search_row = 1;        // a crop's stream: [cls; search; template]

  explicit Dims(const ModelConfig& c)
      : channels(static_cast<int>(c.channels)),
        heads(static_cast<int>(c.heads)),
        hidden(static_cast<int>(c.channels * c.mlp_ratio)),
        head_channels(static_cast<int>(c.head_channels)),
        depth(static_cast<int>(c.depth)),
        patch_embed(c.patch_embed),
        head_kind(c.head_kind),
        template_side(static_cast<int>(c.template_size)),
        search_side(static_cast<int>(c.search_size)),
        search_grid(search_side / kPatchStride),
        template_tokens((template_side / kPatchStride) * (template_side / kPatchStride)),
        search_tokens(search_grid * search_grid),
        tokens(1 + search_tokens + template_tokens) {}
};

std::string block(int index, const char* rest) { return "blocks." + std::to_string(index) + "." + rest; }

struct VitBlock {
  AttentionWeights attn;  // norm1, attn.qkv (with bias), attn.proj
  FfnWeights mlp;         // norm2, mlp.fc1, GELU, mlp.fc2
};

// Binding order = the PyTorch reference's state_dict order
// (tools/vittrack_family.py: own parameters first).
struct Weights {
  const float* cls_token = nullptr;  // [1, C]
  StemWeights stem;
  std::vector<VitBlock> blocks;
  NormWeights norm;
  HeadWeights head;
  std::vector<float> position;  // [321, C], fixed (not in the blob)

  Weights(WeightBinder& b, const Dims& d) {
    const int C = d.channels;
    cls_token = b.table("cls_token", {1, C});
    stem = bind_stem(b, d.patch_embed, C, true);
    for (int i = 0; i < d.depth; ++i)
      blocks.push_back({bind_attention(b, block(i, "norm1"), block(i, "attn"), C, d.heads, true),
                        bind_ffn(b, block(i, "norm2"), block(i, "mlp"), C, d.hidden, false)});
    norm = b.layer_norm("norm", C);
    head = bind_head(b, d.head_kind, C, d.head_channels, true);
    position = sincos_position_table(d.tokens, C);
  }
};

class VitTrackNetwork final : public TokenNetwork {
 public:
  VitTrackNetwork(std::shared_ptr<const Model> model, const Weights& w, const Dims& d, const KernelTable& k,
                  int batch)
      : TokenNetwork(std::move(model), sizes(w, d, k, batch)), w_(w), d_(d) {}

  // The template state is rows 0 and 257..320 of the stream: [cls + pos_0;
  // template embedding + pos_257..320], 65 rows.
  void set_template(const float* z, ActivationProbe* probe) override {
    const int C = d_.channels;
    float* state = template_state();
    std::copy(w_.cls_token, w_.cls_token + C, state);
    kernels().add(state, w_.position.data(), std::size_t(C));
    const float* embedding = embed(z, d_.template_side);
    const std::size_t first = 1 + std::size_t(d_.search_tokens);
    embed_tokens(kernels(), embedding, w_.position.data() + first * C, d_.template_tokens, C, state + C);
    emit(probe, "patch_embed.z", state + C, {d_.template_tokens, C});
    has_template_ = true;
  }

  void run_batch(std::span<const float* const> crops, ActivationProbe* probe) override {
    const int B = begin_batch(crops), N = d_.tokens, C = d_.channels;
    const std::size_t stream = std::size_t(N) * C;
    // Each crop's stream in the order [cls; search; template].
    const float* state = template_state();
    for (std::size_t b = 0; b < crops.size(); ++b) {
      const float* embedding = embed(crops[b], d_.search_side);
      float* t = tokens() + b * stream;
      std::copy(state, state + C, t);
      float* search = t + C;
      embed_tokens(kernels(), embedding, w_.position.data() + C, d_.search_tokens, C, search);
      float* templ = search + std::size_t(d_.search_tokens) * C;
      std::copy(state + C, state + C + std::size_t(d_.template_tokens) * C, templ);
      emit(probe, "patch_embed.x", search, {d_.search_tokens, C});
    }

    for (int i = 0; i < d_.depth; ++i) {
      const VitBlock& blk = w_.blocks[static_cast<std::size_t>(i)];
      run_vit_block(i, d_.depth, blk.attn, blk.mlp, B, probe);
    }
    finish(w_.norm, B, probe);
  }

 private:
  static TokenNetworkSizes sizes(const Weights& w, const Dims& d, const KernelTable& k, int batch) {
    TokenNetworkSizes s;
    s.batch = batch;
    s.kernels = &k;
    s.stem = &w.stem;
    s.head = &w.head;
    s.search_side = d.search_side;
    s.search_grid = d.search_grid;
    s.tokens = d.tokens;
    s.channels = d.channels;
    s.first_search_row = d.first_search_row;
    s.template_floats = std::size_t(1 + d.template_tokens) * d.channels;
    s.qkv_width = 3 * d.channels;
    s.mixed_width = d.channels;
    s.hidden = d.hidden;
    s.heads = d.heads;
    s.key_dim = s.value_dim = d.channels / d.heads;
    s.head_channels = d.head_channels;
    return s;
  }

  const Weights& w_;
  const Dims& d_;
};

class VitTrackFamily final : public FamilyModel {
 public:
  VitTrackFamily(const BlobFile& blob, const Dims& d)
      : dims_(d), packed_(active_kernels()), weights_(bound(blob, dims_, packed_)) {}

  std::unique_ptr<Network> create_network(std::shared_ptr<const Model> model, int max_batch) const override {
    return std::make_unique<VitTrackNetwork>(std::move(model), weights_, dims_, packed_.kernels(), max_batch);
  }

  std::vector<StageCost> stage_costs() const override {
    const Dims& d = dims_;
    std::vector<StageCost> blocks;
    for (int i = 0; i < d.depth; ++i) {
      const VitBlock& b = weights_.blocks[static_cast<std::size_t>(i)];
      const int updated = updated_rows(i, d.depth, d.tokens, d.first_search_row, d.search_tokens).count;
      blocks.push_back(vit_block_cost("blocks." + std::to_string(i), b.attn, b.mlp, d.tokens, updated));
    }
    // The class token counts with the search stage; the position table is fixed.
    return token_stage_costs(weights_.stem, d.template_side, d.search_side, 0, std::uint64_t(d.channels),
                             std::move(blocks), d.channels, weights_.head, d.search_grid);
  }

 private:
  static Weights bound(const BlobFile& blob, const Dims& d, PackedWeights& packed) {
    WeightBinder b(&blob, &packed);
    return Weights(b, d);
  }

  Dims dims_;
  PackedWeights packed_;  // before weights_: binding packs into it
  Weights weights_;
};

}  // namespace

std::vector<float> sincos_position_table(int tokens, int channels) {
  std::vector<float> table(std::size_t(tokens) * channels);
  for (int p = 0; p < tokens; ++p) {
    for (int i = 0; 2 * i < channels; ++i) {
      const double angle = p / std::pow(10000.0, 2.0 * i / channels);
      table[std::size_t(p) * channels + 2 * i] = static_cast<float>(std::sin(angle));
      if (2 * i + 1 < channels) table[std::size_t(p) * channels + 2 * i + 1] = static_cast<float>(std::cos(angle));
    }
  }
  return table;
}

std::vector<LayerSpec> vittrack_layers(const ModelConfig& config) {
  WeightBinder describe;
  Weights w(describe, Dims(config));
  return describe.layers();
}

std::unique_ptr<FamilyModel> make_vittrack(const BlobFile& blob) {
  const ModelConfig& c = blob.config();
  check_tensor_set(blob, tensor_specs(vittrack_layers(c)),
                   "vittrack (depth " + std::to_string(c.depth) + ", channels " + std::to_string(c.channels) + ", " +
                       patch_embed_name(c.patch_embed) + ")");
  return std::make_unique<VitTrackFamily>(blob, Dims(c));
}

}  // namespace et
