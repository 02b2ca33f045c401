// The per-tracker machinery the three families share: one arena planned at
// construction (stem buffers, the token stream, sub-layer scratch, head
// buffers and outputs), the stem, the final LayerNorm, the head and its
// outputs. A family's network adds only its token assembly and blocks.
#pragma once
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "net/arena.h"
#include "net/layers.h"
#include "net/model.h"
#include "net/network.h"

namespace et {

// What a family network needs planned.
struct TokenNetworkSizes {
  const KernelTable* kernels = nullptr;  // the table the weights were packed for
  const StemWeights* stem = nullptr;
  const HeadWeights* head = nullptr;
  int search_side = 0;               // pixels; the larger crop sizes the stem buffers
  int search_grid = 0;               // tokens per side of the search crop (16)
  int tokens = 0, channels = 0;      // the stream [N, C]
  int first_search_row = 0;          // of a crop's stream; search_grid^2 rows from there
  std::size_t template_floats = 0;   // state kept from set_template() to every run()
  int qkv_width = 0;                 // widest qkv row of any block
  int mixed_width = 0;               // widest concatenation of head outputs
  int hidden = 0;                    // widest FFN hidden layer
  int head_channels = 0;             // first tower width of the head
  int heads = 1;                     // most heads of any block
  int key_dim = 0, value_dim = 0;    // widest attention head
  int batch = 1;                     // search crops per run_batch()
};

class TokenNetwork : public Network {
 public:
  int max_batch() const override { return sizes_.batch; }
  CenterHeadMaps center_maps(int crop) const override;
  void select_center_cell(CenterCellSelector select) override;
  CenterCell center_cell(int crop) const override;
  HeadKind head_kind() const override;
  CornerHeadOutput corner_output(int crop) const override;
  std::size_t arena_bytes() const override { return arena_.floats() * sizeof(float); }

 protected:
  TokenNetwork(std::shared_ptr<const Model> model, const TokenNetworkSizes& sizes);

  // Forward-pass steps, for buffer liveness: the stem stages, assembling
  // the tokens, the blocks, the final norm, the head.
  enum Step { kStem0 = 0, kTokens = kStem0 + kStemStages, kBlocks, kFinalNorm, kHead, kLast = kHead };

  const KernelTable& kernels() const { return *sizes_.kernels; }
  float* template_state() { return template_state_; }  // template_floats, kept between runs
  // The stream of every crop, [batch, N, C]: crop b's tokens at b * N * C.
  float* tokens() { return tokens_; }
  const TokenScratch& scratch() const { return scratch_; }
  // Checks a run_batch() call (a template, 1 to max_batch() crops); returns the crop count.
  int begin_batch(std::span<const float* const> crops) const;

  // The stem on a [3, side, side] crop; returns the [C, side/16, side/16] embedding.
  const float* embed(const float* image, int side);
  // Families with the [template; search] token order (vittrack-zoo,
  // EfficientTrack): the template's tokens (patch embedding + pos_z) kept in
  // template_state(), emitted as patch_embed.z ...
  void embed_template_tokens(const float* z, int side, const float* pos_z, int count, ActivationProbe* probe);
  // ... then per run each crop's stream [template; search] (the search rows:
  // patch embedding + pos_x, emitted as patch_embed.x).
  void assemble_template_first(std::span<const float* const> crops, int side, const float* pos_x,
                               int template_count, int search_count, ActivationProbe* probe);
  // The rows of each crop's stream block `block` of `depth` updates: all of
  // them, but in the last block only the search rows the head reads. After
  // that block they are the stream, compacted (StreamRows).
  StreamRows block_rows(int block, int depth) const;
  // A pre-norm ViT block (vittrack-zoo, VitTrack), block `block` of `depth`,
  // on the stream of `crops` crops: x += proj(MHSA(LN x)), then
  // x += fc2(GELU(fc1(LN x))) on the rows block_rows() keeps; emits
  // blocks.<block>.attn and blocks.<block>.
  void run_vit_block(int block, int depth, const AttentionWeights& attn, const FfnWeights& mlp, int crops,
                     ActivationProbe* probe);
  // LayerNorm of the search rows of `crops` crops, compacted by the last
  // block (emitted as "norm"); then the head on each crop's normed search
  // tokens [grid*grid, C], reshaped to [C, grid, grid]; emits
  // head.score/size/offset (head.score alone with a center cell selector)
  // or head.tl/br/box crop after crop.
  void finish(const NormWeights& norm, int crops, ActivationProbe* probe);

  void require_template() const;
  // Hands an activation to the probe, if any; names are built only then, so
  // a forward pass without a probe allocates nothing.
  static void emit(ActivationProbe* probe, std::string_view name, const float* data,
                   std::initializer_list<std::int64_t> shape);
  // "blocks.<block><suffix>", e.g. blocks.2.mixer
  static void emit(ActivationProbe* probe, int block, std::string_view suffix, const float* data,
                   std::initializer_list<std::int64_t> shape);

  bool has_template_ = false;

 private:
  std::shared_ptr<const Model> model_;  // keeps the weights mapped
  TokenNetworkSizes sizes_;
  // The convs' and attention's scratch has a part per thread, for the
  // OpenMP threads current when the network was made; they run on at most
  // that many.
  int kernel_threads_;
  Arena arena_;
  std::vector<float*> stem_buffers_;
  float* template_state_ = nullptr;
  float* kernel_scratch_ = nullptr;
  float* tokens_ = nullptr;
  TokenScratch scratch_;
  float* feature_ = nullptr;  // [C, grid, grid]
  HeadScratch head_scratch_;
  CenterCellSelector select_cell_;  // empty: whole center maps
  std::vector<CenterCell> cells_;   // per crop, with a selector
  void check_crop(int crop) const;
  // Per crop, crop b at b * the size: center: score [cells], size and
  // offset [2*cells]; corner: logits and probabilities [cells] per branch.
  float* out_a_ = nullptr;
  float* out_b_ = nullptr;
  float* out_c_ = nullptr;
  float* out_d_ = nullptr;
  std::size_t out_b_floats_ = 0, out_c_floats_ = 0, out_d_floats_ = 0;  // per crop
  std::vector<CornerResult> corner_;  // per crop
};

// A pre-norm ViT block (vittrack-zoo, VitTrack): parts <name>.attn and
// <name>.ffn over `tokens` rows, of which `updated` are queries and pass the
// FFN (StreamRows: the search tokens in the last block, else all).
StageCost vit_block_cost(const std::string& name, const AttentionWeights& attn, const FfnWeights& mlp, int tokens,
                         int updated);

// The stages every family reports: the template's patch embedding (once per
// init), the search's, then `blocks`, the final norm and the head.
std::vector<StageCost> token_stage_costs(const StemWeights& stem, int template_side, int search_side,
                                         std::uint64_t template_parameters, std::uint64_t search_parameters,
                                         std::vector<StageCost> blocks, int channels, const HeadWeights& head,
                                         int grid);

}  // namespace et
