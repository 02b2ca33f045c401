// The building blocks the model families share: weight views bound to a
// blob, the list of layers a family is made of (which drives tensor checks,
// seeded random weights and the PyTorch state-dict names alike), and one
// forward function per layer. Every kernel call goes through the kernel table
// (kernels/kernels.h) the model was loaded with; linear weights are packed
// for it at load (net/packed_weights.h).
//
// Token streams are token-major [N, C] row-major; maps are CHW.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "kernels/kernels.h"
#include "kernels/shapes.h"
#include "net/tensor_specs.h"

namespace et {

class BlobFile;
struct ModelConfig;

inline constexpr int kPatchStride = 16;      // every patch embed: 16 pixels per token
inline constexpr int kStemStages = 4;        // conv3x3 / conv2x2 stems: C/8, C/4, C/2, C
inline constexpr int kHeadTowerDepth = 4;    // head towers: ch, ch/2, ch/4, ch/8
inline constexpr float kLayerNormEps = 1e-5f;
inline constexpr float kScoreClipLo = 1e-4f, kScoreClipHi = 1.0f - 1e-4f;

// ---------------------------------------------------------------------------
// Weight views (pointers into the blob; null while only describing)

struct ConvGeometry {
  int in = 0, out = 0, kernel = 1, stride = 1, pad = 0, groups = 1;
};

struct ConvWeights {
  const float* weight = nullptr;  // [out, in/groups, k, k]
  const float* bias = nullptr;    // [out] or null
  ConvGeometry g;
  bool has_bias = false;          // (bias is also null while only describing)

  Conv2dShape shape(int height, int width) const {
    return {g.in, height, width, g.out, g.kernel, g.stride, g.pad, g.groups};
  }
  int out_side(int in_side) const { return (in_side + 2 * g.pad - g.kernel) / g.stride + 1; }
  std::uint64_t parameters() const;
  std::uint64_t macs(int in_side) const;  // square input
};

struct LinearWeights {
  const float* weight = nullptr;  // [out, in] (or [out, in/groups, 1, 1] for grouped 1x1 convs)
  const float* bias = nullptr;    // [out] or null
  int in = 0, out = 0, groups = 1;
  bool has_bias = false;
  const float* packed = nullptr;         // weight and bias in the kernel table's layout, group after group
  std::size_t packed_group_floats = 0;   // floats per group in `packed`

  LinearShape shape(int rows) const { return {rows, in, out, in, out}; }
  std::uint64_t parameters() const;
  std::uint64_t macs(int rows) const;
};

struct NormWeights {
  const float* gamma = nullptr;  // [C]; null: no LayerNorm here
  const float* beta = nullptr;   // [C]
  int channels = 0;

  bool present() const { return channels > 0; }
  std::uint64_t parameters() const { return 2 * std::uint64_t(channels); }
};

// ---------------------------------------------------------------------------
// What a family is made of. The blob tensors of each layer, in order:
//   conv, linear  <name>.weight, then <name>.bias when `bias`
//   conv_bn       <name>.weight, <name>.bias: a conv (its own bias when
//                 `bias`) with BatchNorm folded in; the PyTorch reference
//                 holds <name>.conv.weight [.conv.bias] and <name>.bn.*
//   layer_norm    <name>.weight, <name>.bias, [C]
//   table         <name>: a learned table (position embedding, class token)
enum class LayerKind { conv, conv_bn, linear, layer_norm, table };

struct LayerSpec {
  LayerKind kind = LayerKind::table;
  std::string name;
  std::vector<std::int64_t> shape;  // weight: conv [out, in/groups, k, k], linear [out, in], LN [C], table
  bool bias = false;
};

std::vector<TensorSpec> tensor_specs(const std::vector<LayerSpec>& layers);

// Records every layer a weights struct asks for; with a blob it also returns
// pointers to the tensors (check the blob with check_tensor_set first).
class PackedWeights;

class WeightBinder {
 public:
  // With `packed`, every linear / pointwise layer bound from the blob is also
  // packed for that kernel table.
  explicit WeightBinder(const BlobFile* blob = nullptr, PackedWeights* packed = nullptr)
      : blob_(blob), packed_(packed) {}

  ConvWeights conv(const std::string& name, ConvGeometry g, bool bias);
  ConvWeights conv_bn(const std::string& name, ConvGeometry g, bool conv_bias);
  // A linear layer, weight [out, in].
  LinearWeights linear(const std::string& name, int in, int out, bool bias);
  // A 1x1 conv, weight [out, in/groups, 1, 1], applied to token-major rows;
  // batch_norm: BatchNorm folded in (a conv_bn layer).
  LinearWeights pointwise(const std::string& name, int in, int out, int groups, bool bias, bool batch_norm);
  NormWeights layer_norm(const std::string& name, int channels);
  // Convs of one geometry but their outputs run as one conv, outputs side by
  // side in order: `grouped` false, they read the same input; true, each
  // reads its own (group i = convs[i], inputs side by side too). A load-time
  // copy (no blob tensor of its own); only the geometry while describing.
  ConvWeights concatenated(const std::vector<ConvWeights>& convs, bool grouped);
  // w packed for the kernel table (w.weight [out, in] already bound, e.g. a
  // conv's weights read as [out, in * k * k]); unchanged while describing.
  LinearWeights packed(LinearWeights w);
  const float* table(const std::string& name, std::vector<std::int64_t> shape);

  const std::vector<LayerSpec>& layers() const { return layers_; }

 private:
  const float* tensor(const std::string& name) const;
  const BlobFile* blob_;
  PackedWeights* packed_;
  std::vector<LayerSpec> layers_;
};

// ---------------------------------------------------------------------------
// Patch embedding: conv3x3 (4 x k3 s2 p1) or conv2x2 (4 x k2 s2) with
// channels C/8, C/4, C/2, C and HardSwish after the first three, or standard
// (one k16 s16 conv, no activation).

struct StemWeights {
  std::vector<ConvWeights> stages;
  std::uint64_t parameters() const;
  std::uint64_t macs(int side) const;
};

// batch_norm: each conv carries BatchNorm and no bias of its own (the
// families); otherwise plain biased convs (vittrack-zoo, the standard stem).
StemWeights bind_stem(WeightBinder& b, std::uint32_t patch_embed, int channels, bool batch_norm);

// Runs the stem on a [3, side, side] crop; stage s writes buffers[s]. Returns
// the [C, side/16, side/16] embedding (the last stage's buffer).
// kernel_scratch: at least stem_scratch_floats(k, w, side, threads) floats;
// the convs run on at most `threads` OpenMP threads.
const float* run_stem(const KernelTable& k, const StemWeights& w, const float* image, int side,
                      const std::vector<float*>& buffers, float* kernel_scratch, int threads);
std::size_t stem_scratch_floats(const KernelTable& k, const StemWeights& w, int side, int threads);

// tokens[t, :] = embedding[:, t] + pos[t, :] for `count` tokens of width C.
void embed_tokens(const KernelTable& k, const float* embedding_chw, const float* pos, int count, int channels,
                  float* tokens);

// y (+)= act(x w^T + b) over `rows` tokens, group by group for grouped layers.
void run_linear(const KernelTable& k, const LinearWeights& w, int rows, const float* x, Activation act,
                bool accumulate, float* y);

// ---------------------------------------------------------------------------
// Token mixers and FFNs; each adds its result to the stream (residual).

// Scratch of the sub-layers, sized by the network for its widest layer.
struct TokenScratch {
  float* normed = nullptr;  // [N, C]
  float* qkv = nullptr;     // [N, qkv width]
  float* mixed = nullptr;   // [N, heads * value_dim]
  float* hidden = nullptr;  // [N, FFN hidden]
  float* kernel = nullptr;  // the kernels' own scratch (attention blocks, im2col panels)
  int kernel_threads = 1;   // the most OpenMP threads an attention runs on
};

// Kernel scratch of an attention of `heads` heads over `tokens` queries and
// keys on up to `threads` OpenMP threads.
std::size_t attention_scratch_floats(const KernelTable& k, int tokens, int heads, int key_dim, int value_dim,
                                     int threads);

// Multi-head self-attention x += proj(MHSA(LN x)); qkv rows are
// [q heads | k heads | v heads], head h at columns [h*d, (h+1)*d) of each.
struct AttentionWeights {
  NormWeights norm;
  LinearWeights qkv;   // C -> 3C
  LinearWeights proj;  // C -> C
  int heads = 0, head_dim = 0;
  std::uint64_t parameters() const;
  // `queries` of the `tokens` rows updated (StreamRows::count).
  std::uint64_t macs(int tokens, int queries) const;
};

// Group attention (models.md, GA): x += BN(proj(ReLU(concat_h v_h softmax(q_h^T k_h kd^-1/2)^T)))
// with an optional LayerNorm first; qkv is a grouped 1x1 conv (groups = heads)
// whose group h writes [q_h (kd), k_h (kd), v_h (d)].
struct GroupAttentionWeights {
  NormWeights norm;    // absent in the bn flavour
  LinearWeights qkv;   // C -> heads*(2kd+d), groups = heads
  LinearWeights proj;  // heads*d -> C, BatchNorm folded
  int heads = 0, key_dim = 0, value_dim = 0;
  std::uint64_t parameters() const;
  std::uint64_t macs(int tokens, int queries) const;  // as AttentionWeights::macs
};

// FFN: ln flavour x += fc2 GELU(fc1 LN x); bn flavour x += fc2' ReLU(fc1' x)
// with BatchNorm folded into the 1x1 convs.
struct FfnWeights {
  NormWeights norm;  // absent in the bn flavour
  LinearWeights fc1, fc2;
  bool gelu = true;  // GELU (ln) or ReLU (bn)
  std::uint64_t parameters() const;
  std::uint64_t macs(int tokens) const;
};

// norm: the LayerNorm's name; qkv and proj are <prefix>.qkv and <prefix>.proj.
AttentionWeights bind_attention(WeightBinder& b, const std::string& norm, const std::string& prefix, int channels,
                                int heads, bool qkv_bias);
// norm (ln flavour only), <prefix>.qkv (grouped 1x1 conv with bias),
// <prefix>.proj (1x1 conv with bias and BatchNorm).
GroupAttentionWeights bind_group_attention(WeightBinder& b, const std::string& prefix, int channels, int heads,
                                           int key_dim, int value_dim, bool layer_norm);
// ln flavour (batch_norm false): LayerNorm `norm`, linear <prefix>.fc1 and
// <prefix>.fc2 with biases, GELU. bn flavour: 1x1 convs <prefix>.fc1 and
// <prefix>.fc2 with BatchNorm and no bias of their own, ReLU; `norm` unused.
FfnWeights bind_ffn(WeightBinder& b, const std::string& norm, const std::string& prefix, int channels, int hidden,
                    bool batch_norm);

// The rows of each crop's [tokens, C] stream a token mixer updates. Every
// block but the last updates all of them ({0, tokens}). The last one updates
// only the rows the head reads, the search tokens: no later layer mixes
// tokens, so the others' outputs would go unread (in vittrack-zoo, a fifth of
// the last block's attention and FFN). Its keys and values still come from
// every row. The updated rows leave the stream compacted: crop b's `count`
// rows at stream rows first + b * count, which with all rows is the usual
// [crops, tokens, C] layout, and with one crop leaves every row in place.
struct StreamRows {
  int first = 0, count = 0;
};

// The rows block `block` of `depth` updates in a stream of `tokens` rows per
// crop whose head reads `search` rows from row `first_search`.
inline StreamRows updated_rows(int block, int depth, int tokens, int first_search, int search) {
  return block + 1 < depth ? StreamRows{0, tokens} : StreamRows{first_search, search};
}

// x: the streams of `crops` crops, [crops, tokens, C]; the norms and linear
// layers run over all crops' rows at once, attention crop by crop. Only the
// `updated` rows of each crop are queries; afterwards they are the stream,
// compacted as StreamRows says, at x + updated.first * C ([crops * count, C]).
void attention_residual(const KernelTable& k, const AttentionWeights& w, int crops, int tokens, StreamRows updated,
                        float* x, const TokenScratch& s);
void group_attention_residual(const KernelTable& k, const GroupAttentionWeights& w, int crops, int tokens,
                              StreamRows updated, float* x, const TokenScratch& s);
// Row-wise: x is [rows, C] (any number of crops' tokens).
void ffn_residual(const KernelTable& k, const FfnWeights& w, int rows, float* x, const TokenScratch& s);

// ---------------------------------------------------------------------------
// Heads over the [C, 16, 16] search feature map. Each branch is a tower of
// four conv3x3 p1 + ReLU (ch, ch/2, ch/4, ch/8; BatchNorm folded in the
// families) and a 1x1 conv to its output maps.
struct HeadBranch {
  std::array<ConvWeights, kHeadTowerDepth> tower;
  ConvWeights out;
};

// Center: branches ctr (score, 1 map), offset (2), size (2).
// Corner: branches tl, br (1 logit map each).
struct HeadWeights {
  std::uint32_t kind = 0;  // blob::kHeadCenter or kHeadCorner
  std::vector<HeadBranch> branches;
  // What runs: the branches' towers as one. Level 0 is one conv with every
  // branch's outputs side by side (they all read the feature), the deeper
  // levels one group per branch; each output is the same sum, in the same
  // order, as branch by branch. Fewer, wider convs: one phase-plane fill per
  // level instead of one per branch, and whole 6-row tiles where a branch's
  // 32 or 16 outputs would end in a partial one.
  std::array<ConvWeights, kHeadTowerDepth> towers;
  // Center heads: the offset and size branches' level-0 weights ([2 ch,
  // C * 9], a view of towers[0]) packed for the linear kernel. run_center_cell
  // runs that level as a GEMM with the window's 7x7 cells as rows (a conv
  // there would fill 7 of a tile's columns).
  LinearWeights cell_level0;
  std::uint64_t parameters() const;
  std::uint64_t macs(int side) const;
};

HeadWeights bind_head(WeightBinder& b, std::uint32_t kind, int channels, int head_channels, bool batch_norm);

struct HeadScratch {
  float* tower_a = nullptr;  // [branches * ch, cells]
  float* tower_b = nullptr;  // [branches * ch/2, cells]
  float* window = nullptr;   // [49, C * 9]: run_center_cell's im2col rows
  float* kernel = nullptr;   // head_scratch_floats(k, w, side, kernel_threads)
  int kernel_threads = 1;    // the most OpenMP threads a conv runs on
};

std::size_t head_scratch_floats(const KernelTable& k, const HeadWeights& w, int side, int threads);
// Floats of HeadScratch::window for a center head (0 for a corner head).
std::size_t head_window_floats(const HeadWeights& w);

// score [1,side,side] and size [2,..] through sigmoid clipped to
// [1e-4, 1-1e-4]; offset [2,..] raw.
void run_center_head(const KernelTable& k, const HeadWeights& w, const float* feature, int side,
                     const HeadScratch& s, float* score, float* size, float* offset);

// The center head in two steps, as a tracker reads it: the score map over
// the grid, then the size and offset at one cell only. A level-3 output
// depends on the 3x3 level-2 outputs around it, and so on down: the cell's
// size and offset need 3x3, 5x5, 7x7 cells of levels 2, 1, 0 and the 9x9
// feature cells around it, not the whole maps (at 16x16, about a sixth of
// those two branches' MACs). Each value is the same sum, in the same
// order, of the same values (zeros outside the grid, as the convs' padding)
// as run_center_head's: bit-identical.
void run_center_score(const KernelTable& k, const HeadWeights& w, const float* feature, int side,
                      const HeadScratch& s, float* score);
// size = (w, h) through the sigmoid clipped as above, offset = (x, y) raw,
// at cell = side*y + x.
void run_center_cell(const KernelTable& k, const HeadWeights& w, const float* feature, int side, int cell,
                     const HeadScratch& s, float size[2], float offset[2]);

// The corner head's result for one search crop (see CornerHeadOutput).
struct CornerResult {
  std::array<float, 4> box{};  // x1, y1, x2, y2 as fractions of the crop side
  float peak_top_left = 0, peak_bottom_right = 0;
};

// logits_* [side*side] per branch, prob_* their softmax; the box is the
// soft-argmax with cell coordinates stride*i (top-left) and stride*i +
// stride-1 (bottom-right), divided by crop_side.
CornerResult run_corner_head(const KernelTable& k, const HeadWeights& w, const float* feature, int side,
                             int crop_side, const HeadScratch& s, float* logits_tl, float* logits_br,
                             float* prob_tl, float* prob_br);

// ---------------------------------------------------------------------------
// Costs: attention products q.k and p.v of `queries` queries over `keys` keys.
std::uint64_t attention_product_macs(int queries, int keys, int heads, int key_dim, int value_dim);

}  // namespace et
