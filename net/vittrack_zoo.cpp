#include "net/vittrack_zoo.h"

#include <algorithm>
#include <string>

#include "net/layers.h"
#include "net/packed_weights.h"
#include "net/token_network.h"
#include "weights/blob_format.h"

namespace et {
namespace {

// Sizes that follow from the config.
struct Dims {
  int channels, heads, hidden, head_channels, depth;
  int template_side, search_side;  // pixels
  int template_grid, search_grid;  // tokens per side (8, 16)
  int template_tokens, search_tokens, tokens;

  explicit Dims(const ModelConfig& c)
      : channels(static_cast<int>(c.channels)),
        heads(static_cast<int>(c.heads)),
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
};

std::string block(int index, const char* rest) { return "blocks." + std::to_string(index) + "." + rest; }

struct ZooBlock {
  AttentionWeights attn;  // norm1, attn.qkv (with bias), attn.proj
  FfnWeights mlp;         // norm2, mlp.fc1, GELU, mlp.fc2
};

// Binding order = the blob's tensor order (FORMAT.md, vittrack-zoo).
struct ZooWeights {
  StemWeights stem;                    // 4 x conv3x3 s2 with bias, C/8..C
  const float* pos_embed_z = nullptr;  // [64, C]
  const float* pos_embed_x = nullptr;  // [256, C]
  std::vector<ZooBlock> blocks;
  NormWeights norm;
  HeadWeights head;  // center, plain biased convs

  ZooWeights(WeightBinder& b, const Dims& d) {
    const int C = d.channels;
    stem = bind_stem(b, blob::kPatchConv3x3, C, false);
    pos_embed_z = b.table("pos_embed_z", {d.template_tokens, C});
    pos_embed_x = b.table("pos_embed_x", {d.search_tokens, C});
    for (int i = 0; i < d.depth; ++i)
      blocks.push_back({bind_attention(b, block(i, "norm1"), block(i, "attn"), C, d.heads, true),
                        bind_ffn(b, block(i, "norm2"), block(i, "mlp"), C, d.hidden, false)});
    norm = b.layer_norm("norm", C);
    head = bind_head(b, blob::kHeadCenter, C, d.head_channels, false);
  }
};

class ZooNetwork final : public TokenNetwork {
 public:
  ZooNetwork(std::shared_ptr<const Model> model, const ZooWeights& w, const Dims& d, const KernelTable& k,
             int batch)
      : TokenNetwork(std::move(model), sizes(w, d, k, batch)), w_(w), d_(d) {}

  void set_template(const float* z, ActivationProbe* probe) override {
    embed_template_tokens(z, d_.template_side, w_.pos_embed_z, d_.template_tokens, probe);
  }

  void run_batch(std::span<const float* const> crops, ActivationProbe* probe) override {
    const int B = begin_batch(crops);
    assemble_template_first(crops, d_.search_side, w_.pos_embed_x, d_.template_tokens, d_.search_tokens, probe);
    for (int i = 0; i < d_.depth; ++i) {
      const ZooBlock& blk = w_.blocks[static_cast<std::size_t>(i)];
      run_vit_block(i, d_.depth, blk.attn, blk.mlp, B, probe);
    }
    finish(w_.norm, B, probe);
  }

 private:
  static TokenNetworkSizes sizes(const ZooWeights& w, const Dims& d, const KernelTable& k, int batch) {
    TokenNetworkSizes s;
    s.batch = batch;
    s.kernels = &k;
    s.stem = &w.stem;
    s.head = &w.head;
    s.search_side = d.search_side;
    s.search_grid = d.search_grid;
    s.tokens = d.tokens;
    s.channels = d.channels;
    s.first_search_row = d.template_tokens;
    s.template_floats = std::size_t(d.template_tokens) * d.channels;
    s.qkv_width = 3 * d.channels;
    s.mixed_width = d.channels;
    s.hidden = d.hidden;
    s.heads = d.heads;
    s.key_dim = s.value_dim = d.channels / d.heads;
    s.head_channels = d.head_channels;
    return s;
  }

  const ZooWeights& w_;
  const Dims& d_;
};

class ZooFamily final : public FamilyModel {
 public:
  ZooFamily(const BlobFile& blob, const Dims& d)
      : dims_(d), packed_(active_kernels()), weights_(bound(blob, dims_, packed_)) {}

  std::unique_ptr<Network> create_network(std::shared_ptr<const Model> model, int max_batch) const override {
    return std::make_unique<ZooNetwork>(std::move(model), weights_, dims_, packed_.kernels(), max_batch);
  }

  std::vector<StageCost> stage_costs() const override {
    const Dims& d = dims_;
    std::vector<StageCost> blocks;
    for (int i = 0; i < d.depth; ++i) {
      const ZooBlock& b = weights_.blocks[static_cast<std::size_t>(i)];
      const int updated = updated_rows(i, d.depth, d.tokens, d.template_tokens, d.search_tokens).count;
      blocks.push_back(vit_block_cost("blocks." + std::to_string(i), b.attn, b.mlp, d.tokens, updated));
    }
    const std::uint64_t C = std::uint64_t(d.channels);
    return token_stage_costs(weights_.stem, d.template_side, d.search_side, d.template_tokens * C,
                             d.search_tokens * C, std::move(blocks), d.channels, weights_.head, d.search_grid);
  }

 private:
  static ZooWeights bound(const BlobFile& blob, const Dims& d, PackedWeights& packed) {
    WeightBinder b(&blob, &packed);
    return ZooWeights(b, d);
  }

  Dims dims_;
  PackedWeights packed_;  // before weights_: binding packs into it
  ZooWeights weights_;
};

}  // namespace

std::vector<LayerSpec> vittrack_zoo_layers(const ModelConfig& config) {
  const Dims d(config);
  WeightBinder describe;
  ZooWeights w(describe, d);
  return describe.layers();
}

std::vector<TensorSpec> vittrack_zoo_tensor_specs(const ModelConfig& config) {
  return tensor_specs(vittrack_zoo_layers(config));
}

std::unique_ptr<FamilyModel> make_vittrack_zoo(const BlobFile& blob) {
  const ModelConfig& c = blob.config();
  check_tensor_set(blob, vittrack_zoo_tensor_specs(c),
                   "vittrack-zoo (depth " + std::to_string(c.depth) + ", channels " + std::to_string(c.channels) +
                       ")");
  return std::make_unique<ZooFamily>(blob, Dims(c));
}

}  // namespace et
