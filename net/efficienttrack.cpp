#include "net/efficienttrack.h"

#include <algorithm>
#include <string>

#include "net/packed_weights.h"
#include "net/token_network.h"
#include "weights/blob_format.h"

namespace et {
namespace {

struct Dims {
  int channels, heads, key_dim, value_dim, hidden, head_channels, depth;
  std::uint32_t block_type, patch_embed, head_kind;
  bool batch_norm;                 // the bn flavour
  int template_side, search_side;  // pixels
  int search_grid, template_tokens, search_tokens, tokens;

  explicit Dims(const ModelConfig& c)
      : channels(static_cast<int>(c.channels)),
        heads(static_cast<int>(c.heads)),
        key_dim(static_cast<int>(c.key_dim)),
        value_dim(static_cast<int>(c.value_dim)),
        hidden(static_cast<int>(c.channels * c.mlp_ratio)),
        head_channels(static_cast<int>(c.head_channels)),
        depth(static_cast<int>(c.depth)),
        block_type(c.block_type),
        patch_embed(c.patch_embed),
        head_kind(c.head_kind),
        batch_norm(c.norm == blob::kNormBatchNorm),
        template_side(static_cast<int>(c.template_size)),
        search_side(static_cast<int>(c.search_size)),
        search_grid(search_side / kPatchStride),
        template_tokens((template_side / kPatchStride) * (template_side / kPatchStride)),
        search_tokens(search_grid * search_grid),
        tokens(template_tokens + search_tokens) {}

  bool leading_ffn() const { return block_type == blob::kBlockFAF || block_type == blob::kBlockFGAF; }
  bool group_attention() const { return block_type == blob::kBlockGAF || block_type == blob::kBlockFGAF; }
};

// One block: ffn0 (FAF, FGAF only) -> mixer (A or GA) -> ffn1, each residual.
struct Block {
  bool leading_ffn = false, group = false;
  FfnWeights ffn0;
  AttentionWeights attention;         // A: LN, qkv without bias, proj
  GroupAttentionWeights group_attn;   // GA
  FfnWeights ffn1;

  std::uint64_t parameters() const {
    return (leading_ffn ? ffn0.parameters() : 0) + (group ? group_attn.parameters() : attention.parameters()) +
           ffn1.parameters();
  }
  // As the probe names them: the last FFN is the block's output ("<name>.ffn").
  // `updated` of the `tokens` rows are the mixer's queries and pass the last
  // FFN (StreamRows: the search tokens in the last block, else all); a
  // leading FFN runs on `leading` rows (block 0: the search tokens, the
  // template's having passed it in set_template).
  std::vector<StageCost::Part> parts(const std::string& name, int tokens, int leading, int updated) const {
    std::vector<StageCost::Part> p;
    if (leading_ffn) p.push_back({name + ".ffn0", ffn0.macs(tokens), ffn0.macs(leading)});
    if (group) p.push_back({name + ".mixer", group_attn.macs(tokens, tokens), group_attn.macs(tokens, updated)});
    else p.push_back({name + ".mixer", attention.macs(tokens, tokens), attention.macs(tokens, updated)});
    p.push_back({name + ".ffn", ffn1.macs(tokens), ffn1.macs(updated)});
    return p;
  }
};

// Binding order = the blob's tensor order = the PyTorch reference's
// state_dict order (tools/efficienttrack_ref.py: own tables first).
struct Weights {
  const float* pos_embed_z = nullptr;  // [64, C]
  const float* pos_embed_x = nullptr;  // [256, C]
  StemWeights stem;
  std::vector<Block> blocks;
  NormWeights norm;
  HeadWeights head;

  Weights(WeightBinder& b, const Dims& d) {
    const int C = d.channels;
    pos_embed_z = b.table("pos_embed_z", {d.template_tokens, C});
    pos_embed_x = b.table("pos_embed_x", {d.search_tokens, C});
    stem = bind_stem(b, d.patch_embed, C, true);
    for (int i = 0; i < d.depth; ++i) {
      const std::string p = "blocks." + std::to_string(i);
      Block blk;
      blk.leading_ffn = d.leading_ffn();
      blk.group = d.group_attention();
      if (blk.leading_ffn) blk.ffn0 = bind_ffn(b, p + ".ffn0.norm", p + ".ffn0", C, d.hidden, d.batch_norm);
      if (blk.group)
        blk.group_attn = bind_group_attention(b, p + ".mixer", C, d.heads, d.key_dim, d.value_dim, !d.batch_norm);
      else
        blk.attention = bind_attention(b, p + ".mixer.norm", p + ".mixer", C, d.heads, false);
      blk.ffn1 = bind_ffn(b, p + ".ffn1.norm", p + ".ffn1", C, d.hidden, d.batch_norm);
      blocks.push_back(blk);
    }
    norm = b.layer_norm("norm", C);
    head = bind_head(b, d.head_kind, C, d.head_channels, true);
  }
};

class EfficientTrackNetwork final : public TokenNetwork {
 public:
  EfficientTrackNetwork(std::shared_ptr<const Model> model, const Weights& w, const Dims& d, const KernelTable& k,
                        int batch)
      : TokenNetwork(std::move(model), sizes(w, d, k, batch)), w_(w), d_(d) {}

  // Block 0's leading FFN (FAF, FGAF) is row-wise and its template rows
  // are the template embedding, the same every run: they pass it here, once,
  // and each run passes only the search rows (the stream's [template;
  // search] rows hold the same values as if all had passed it then).
  void set_template(const float* z, ActivationProbe* probe) override {
    embed_template_tokens(z, d_.template_side, w_.pos_embed_z, d_.template_tokens, probe);
    if (w_.blocks.front().leading_ffn)
      ffn_residual(kernels(), w_.blocks.front().ffn0, d_.template_tokens, template_state(), scratch());
  }

  void run_batch(std::span<const float* const> crops, ActivationProbe* probe) override {
    const int B = begin_batch(crops), N = d_.tokens, C = d_.channels;
    assemble_template_first(crops, d_.search_side, w_.pos_embed_x, d_.template_tokens, d_.search_tokens, probe);
    float* t = tokens();

    for (int i = 0; i < d_.depth; ++i) {
      const Block& blk = w_.blocks[static_cast<std::size_t>(i)];
      if (blk.leading_ffn) {
        if (i > 0) {
          ffn_residual(kernels(), blk.ffn0, B * N, t, scratch());
        } else {
          for (int b = 0; b < B; ++b)  // the search rows; the template's passed in set_template
            ffn_residual(kernels(), blk.ffn0, d_.search_tokens,
                         t + (std::size_t(b) * N + std::size_t(d_.template_tokens)) * C, scratch());
        }
        emit(probe, i, ".ffn0", t, {B * N, C});
      }
      const StreamRows rows = block_rows(i, d_.depth);
      if (blk.group) group_attention_residual(kernels(), blk.group_attn, B, N, rows, t, scratch());
      else attention_residual(kernels(), blk.attention, B, N, rows, t, scratch());
      float* kept = t + std::size_t(rows.first) * C;
      emit(probe, i, ".mixer", kept, {B * rows.count, C});
      ffn_residual(kernels(), blk.ffn1, B * rows.count, kept, scratch());
      emit(probe, i, "", kept, {B * rows.count, C});
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
    s.first_search_row = d.template_tokens;
    s.template_floats = std::size_t(d.template_tokens) * d.channels;
    const bool group = d.group_attention();
    s.qkv_width = group ? d.heads * (2 * d.key_dim + d.value_dim) : 3 * d.channels;
    s.mixed_width = group ? d.heads * d.value_dim : d.channels;
    s.hidden = d.hidden;
    s.heads = d.heads;
    s.key_dim = group ? d.key_dim : d.channels / d.heads;
    s.value_dim = group ? d.value_dim : d.channels / d.heads;
    s.head_channels = d.head_channels;
    return s;
  }

  const Weights& w_;
  const Dims& d_;
};

class EfficientTrackFamily final : public FamilyModel {
 public:
  EfficientTrackFamily(const BlobFile& blob, const Dims& d)
      : dims_(d), packed_(active_kernels()), weights_(bound(blob, dims_, packed_)) {}

  std::unique_ptr<Network> create_network(std::shared_ptr<const Model> model, int max_batch) const override {
    return std::make_unique<EfficientTrackNetwork>(std::move(model), weights_, dims_, packed_.kernels(), max_batch);
  }

  std::vector<StageCost> stage_costs() const override {
    const Dims& d = dims_;
    std::vector<StageCost> blocks;
    for (int i = 0; i < d.depth; ++i) {
      const Block& b = weights_.blocks[static_cast<std::size_t>(i)];
      const std::string name = "blocks." + std::to_string(i);
      const int updated = updated_rows(i, d.depth, d.tokens, d.template_tokens, d.search_tokens).count;
      const int leading = i == 0 ? d.search_tokens : d.tokens;  // see set_template
      blocks.push_back(block_cost(name, b.parameters(), b.parts(name, d.tokens, leading, updated)));
    }
    const std::uint64_t C = std::uint64_t(d.channels);
    return token_stage_costs(weights_.stem, d.template_side, d.search_side, d.template_tokens * C,
                             d.search_tokens * C, std::move(blocks), d.channels, weights_.head, d.search_grid);
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

std::vector<LayerSpec> efficienttrack_layers(const ModelConfig& config) {
  WeightBinder describe;
  Weights w(describe, Dims(config));
  return describe.layers();
}

std::unique_ptr<FamilyModel> make_efficienttrack(const BlobFile& blob) {
  const ModelConfig& c = blob.config();
  check_tensor_set(blob, tensor_specs(efficienttrack_layers(c)),
                   "efficienttrack (" + block_type_name(c.block_type) + ", " + norm_name(c.norm) + ", depth " +
                       std::to_string(c.depth) + ", channels " + std::to_string(c.channels) + ")");
  return std::make_unique<EfficientTrackFamily>(blob, Dims(c));
}

}  // namespace et
