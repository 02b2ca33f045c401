#include "net/layers.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "net/packed_weights.h"
#include "weights/blob.h"
#include "weights/blob_format.h"
#include "weights/error.h"

namespace et {

// ---------------------------------------------------------------------------
// Weight views

std::uint64_t ConvWeights::parameters() const {
  return std::uint64_t(g.out) * (g.in / g.groups) * g.kernel * g.kernel + (has_bias ? g.out : 0);
}

std::uint64_t ConvWeights::macs(int in_side) const {
  const std::uint64_t side = std::uint64_t(out_side(in_side));
  return side * side * g.out * (g.in / g.groups) * g.kernel * g.kernel;
}

std::uint64_t LinearWeights::parameters() const {
  return std::uint64_t(out) * (in / groups) + (has_bias ? out : 0);
}

std::uint64_t LinearWeights::macs(int rows) const { return std::uint64_t(rows) * out * (in / groups); }

// ---------------------------------------------------------------------------
// Layer lists and binding

std::vector<TensorSpec> tensor_specs(const std::vector<LayerSpec>& layers) {
  std::vector<TensorSpec> specs;
  for (const LayerSpec& l : layers) {
    switch (l.kind) {
      case LayerKind::conv:
      case LayerKind::linear:
        specs.push_back({l.name + ".weight", l.shape});
        if (l.bias) specs.push_back({l.name + ".bias", {l.shape[0]}});
        break;
      case LayerKind::conv_bn:
        specs.push_back({l.name + ".weight", l.shape});
        specs.push_back({l.name + ".bias", {l.shape[0]}});
        break;
      case LayerKind::layer_norm:
        specs.push_back({l.name + ".weight", l.shape});
        specs.push_back({l.name + ".bias", l.shape});
        break;
      case LayerKind::table:
        specs.push_back({l.name, l.shape});
        break;
    }
  }
  return specs;
}

const float* WeightBinder::tensor(const std::string& name) const {
  return blob_ == nullptr ? nullptr : blob_->require(name).data;
}

ConvWeights WeightBinder::conv(const std::string& name, ConvGeometry g, bool bias) {
  layers_.push_back({LayerKind::conv, name, {g.out, g.in / g.groups, g.kernel, g.kernel}, bias});
  return {tensor(name + ".weight"), bias ? tensor(name + ".bias") : nullptr, g, bias};
}

ConvWeights WeightBinder::conv_bn(const std::string& name, ConvGeometry g, bool conv_bias) {
  layers_.push_back({LayerKind::conv_bn, name, {g.out, g.in / g.groups, g.kernel, g.kernel}, conv_bias});
  return {tensor(name + ".weight"), tensor(name + ".bias"), g, true};
}

LinearWeights WeightBinder::packed(LinearWeights w) {
  if (packed_ != nullptr && w.weight != nullptr) packed_->pack(w);
  return w;
}

LinearWeights WeightBinder::linear(const std::string& name, int in, int out, bool bias) {
  layers_.push_back({LayerKind::linear, name, {out, in}, bias});
  return packed({tensor(name + ".weight"), bias ? tensor(name + ".bias") : nullptr, in, out, 1, bias});
}

LinearWeights WeightBinder::pointwise(const std::string& name, int in, int out, int groups, bool bias,
                                      bool batch_norm) {
  const ConvGeometry g{in, out, 1, 1, 0, groups};
  const ConvWeights c = batch_norm ? conv_bn(name, g, bias) : conv(name, g, bias);
  return packed({c.weight, c.bias, in, out, groups, c.has_bias});
}

ConvWeights WeightBinder::concatenated(const std::vector<ConvWeights>& convs, bool grouped) {
  ConvWeights fused;
  fused.g = convs.front().g;
  fused.g.out = 0;
  if (grouped) fused.g.in = 0;
  for (const ConvWeights& c : convs) {
    const ConvGeometry& g = c.g;
    const ConvGeometry& first = convs.front().g;
    if (g.groups != 1 || g.kernel != first.kernel || g.stride != first.stride || g.pad != first.pad ||
        g.in != first.in || (grouped && g.out != first.out))
      throw Error("concatenating convolutions: geometries differ (internal)");
    fused.g.out += g.out;
    if (grouped) fused.g.in += g.in;
  }
  fused.g.groups = grouped ? static_cast<int>(convs.size()) : 1;
  fused.has_bias = true;
  if (packed_ != nullptr && convs.front().weight != nullptr) packed_->concatenate(convs, fused);
  return fused;
}

NormWeights WeightBinder::layer_norm(const std::string& name, int channels) {
  layers_.push_back({LayerKind::layer_norm, name, {channels}, true});
  return {tensor(name + ".weight"), tensor(name + ".bias"), channels};
}

const float* WeightBinder::table(const std::string& name, std::vector<std::int64_t> shape) {
  layers_.push_back({LayerKind::table, name, std::move(shape), false});
  return tensor(name);
}

// ---------------------------------------------------------------------------
// Patch embedding

std::uint64_t StemWeights::parameters() const {
  std::uint64_t n = 0;
  for (const ConvWeights& c : stages) n += c.parameters();
  return n;
}

std::uint64_t StemWeights::macs(int side) const {
  std::uint64_t n = 0;
  for (const ConvWeights& c : stages) {
    n += c.macs(side);
    side = c.out_side(side);
  }
  return n;
}

StemWeights bind_stem(WeightBinder& b, std::uint32_t patch_embed, int channels, bool batch_norm) {
  StemWeights w;
  if (patch_embed == blob::kPatchStandard) {
    w.stages.push_back(b.conv("patch_embed.0", {3, channels, kPatchStride, kPatchStride, 0, 1}, true));
    return w;
  }
  const bool three = patch_embed == blob::kPatchConv3x3;
  int in = 3;
  for (int s = 0; s < kStemStages; ++s) {
    const int out = channels >> (kStemStages - 1 - s);  // C/8, C/4, C/2, C
    const ConvGeometry g{in, out, three ? 3 : 2, 2, three ? 1 : 0, 1};
    const std::string name = "patch_embed." + std::to_string(s);
    w.stages.push_back(batch_norm ? b.conv_bn(name, g, false) : b.conv(name, g, true));
    in = out;
  }
  return w;
}

const float* run_stem(const KernelTable& k, const StemWeights& w, const float* image, int side,
                      const std::vector<float*>& buffers, float* kernel_scratch, int threads) {
  const float* in = image;
  for (std::size_t s = 0; s < w.stages.size(); ++s) {
    const ConvWeights& c = w.stages[s];
    const Activation act = s + 1 < w.stages.size() ? Activation::hardswish : Activation::none;
    k.conv2d(c.shape(side, side), in, c.weight, c.bias, act, buffers[s], kernel_scratch, threads);
    side = c.out_side(side);
    in = buffers[s];
  }
  return in;
}

std::size_t stem_scratch_floats(const KernelTable& k, const StemWeights& w, int side, int threads) {
  std::size_t n = 0;
  for (const ConvWeights& c : w.stages) {
    n = std::max(n, k.conv2d_scratch_floats(c.shape(side, side), threads));
    side = c.out_side(side);
  }
  return n;
}

void embed_tokens(const KernelTable& k, const float* embedding_chw, const float* pos, int count, int channels,
                  float* tokens) {
  k.transpose(embedding_chw, channels, count, false, tokens);
  k.add(tokens, pos, std::size_t(count) * channels);
}

void run_linear(const KernelTable& k, const LinearWeights& w, int rows, const float* x, Activation act,
                bool accumulate, float* y) {
  const int in = w.in / w.groups, out = w.out / w.groups;
  // Group g reads columns [g*in, (g+1)*in) of x and writes [g*out, (g+1)*out) of y.
  for (int g = 0; g < w.groups; ++g)
    k.linear({rows, in, out, w.in, w.out}, x + std::size_t(g) * in, w.packed + std::size_t(g) * w.packed_group_floats,
             act, accumulate, y + std::size_t(g) * out);
}

// ---------------------------------------------------------------------------
// Mixers and FFNs

std::uint64_t attention_product_macs(int queries, int keys, int heads, int key_dim, int value_dim) {
  return std::uint64_t(queries) * keys * heads * (key_dim + value_dim);
}

std::uint64_t AttentionWeights::parameters() const {
  return norm.parameters() + qkv.parameters() + proj.parameters();
}
std::uint64_t AttentionWeights::macs(int tokens, int queries) const {
  return qkv.macs(tokens) + attention_product_macs(queries, tokens, heads, head_dim, head_dim) + proj.macs(queries);
}

std::uint64_t GroupAttentionWeights::parameters() const {
  return norm.parameters() + qkv.parameters() + proj.parameters();
}
std::uint64_t GroupAttentionWeights::macs(int tokens, int queries) const {
  return qkv.macs(tokens) + attention_product_macs(queries, tokens, heads, key_dim, value_dim) + proj.macs(queries);
}

std::uint64_t FfnWeights::parameters() const { return norm.parameters() + fc1.parameters() + fc2.parameters(); }
std::uint64_t FfnWeights::macs(int tokens) const { return fc1.macs(tokens) + fc2.macs(tokens); }

std::size_t attention_scratch_floats(const KernelTable& k, int tokens, int heads, int key_dim, int value_dim,
                                     int threads) {
  return k.attention_scratch_floats({tokens, tokens, key_dim, value_dim, 0, 0, 0, 0, 1.0f, heads, 0, 0, 0, 0},
                                    threads);
}

AttentionWeights bind_attention(WeightBinder& b, const std::string& norm, const std::string& prefix, int channels,
                                int heads, bool qkv_bias) {
  AttentionWeights w;
  w.norm = b.layer_norm(norm, channels);
  w.qkv = b.linear(prefix + ".qkv", channels, 3 * channels, qkv_bias);
  w.proj = b.linear(prefix + ".proj", channels, channels, true);
  w.heads = heads;
  w.head_dim = channels / heads;
  return w;
}

GroupAttentionWeights bind_group_attention(WeightBinder& b, const std::string& prefix, int channels, int heads,
                                           int key_dim, int value_dim, bool layer_norm) {
  GroupAttentionWeights w;
  if (layer_norm) w.norm = b.layer_norm(prefix + ".norm", channels);
  w.qkv = b.pointwise(prefix + ".qkv", channels, heads * (2 * key_dim + value_dim), heads, true, false);
  w.proj = b.pointwise(prefix + ".proj", heads * value_dim, channels, 1, true, true);
  w.heads = heads;
  w.key_dim = key_dim;
  w.value_dim = value_dim;
  return w;
}

FfnWeights bind_ffn(WeightBinder& b, const std::string& norm, const std::string& prefix, int channels, int hidden,
                    bool batch_norm) {
  FfnWeights w;
  w.gelu = !batch_norm;
  if (batch_norm) {
    w.fc1 = b.pointwise(prefix + ".fc1", channels, hidden, 1, false, true);
    w.fc2 = b.pointwise(prefix + ".fc2", hidden, channels, 1, false, true);
  } else {
    w.norm = b.layer_norm(norm, channels);
    w.fc1 = b.linear(prefix + ".fc1", channels, hidden, true);
    w.fc2 = b.linear(prefix + ".fc2", hidden, channels, true);
  }
  return w;
}

namespace {

// Moves each crop's updated rows to their compacted place (StreamRows) and
// returns the first: crop b's from stream row b * tokens + first to
// first + b * count, never later, so in crop order nothing is overwritten
// before it moves. Nothing moves for all rows or one crop.
float* compact_stream(float* x, int crops, int tokens, StreamRows rows, int channels) {
  const std::size_t C = std::size_t(channels);
  for (std::size_t b = 1; b < std::size_t(crops) && rows.count != tokens; ++b)
    std::memmove(x + (rows.first + b * rows.count) * C, x + (b * tokens + rows.first) * C,
                 std::size_t(rows.count) * C * sizeof(float));
  return x + std::size_t(rows.first) * C;
}

}  // namespace

void attention_residual(const KernelTable& k, const AttentionWeights& w, int crops, int tokens, StreamRows updated,
                        float* x, const TokenScratch& s) {
  const int N = tokens, C = w.qkv.in, D = w.head_dim, rows = crops * tokens;
  k.layer_norm(x, rows, C, w.norm.gamma, w.norm.beta, kLayerNormEps, s.normed);
  run_linear(k, w.qkv, rows, s.normed, Activation::none, false, s.qkv);
  // q, k, v of head h: columns h*D, C + h*D, 2C + h*D of the [N, 3C] qkv rows
  // of a crop; the updated rows' queries, every row's keys and values.
  const AttentionShape shape{updated.count, N, D, D, 3 * C, 3 * C, 3 * C, C,
                             1.0f / std::sqrt(static_cast<float>(D)), w.heads, D, D, D, D};
  for (int b = 0; b < crops; ++b) {
    const float* qkv = s.qkv + std::size_t(b) * N * 3 * C;
    const float* q = qkv + std::size_t(updated.first) * 3 * C;
    k.attention(shape, q, qkv + C, qkv + 2 * C, s.mixed + std::size_t(b) * updated.count * C, s.kernel,
                s.kernel_threads);
  }
  float* kept = compact_stream(x, crops, N, updated, C);
  run_linear(k, w.proj, crops * updated.count, s.mixed, Activation::none, true, kept);  // x += proj(...)
}

void group_attention_residual(const KernelTable& k, const GroupAttentionWeights& w, int crops, int tokens,
                              StreamRows updated, float* x, const TokenScratch& s) {
  const int N = tokens, C = w.qkv.in, kd = w.key_dim, d = w.value_dim, rows = crops * tokens;
  const int group_width = 2 * kd + d, width = w.qkv.out, mixed = w.heads * d;
  const float* in = x;
  if (w.norm.present()) {
    k.layer_norm(x, rows, C, w.norm.gamma, w.norm.beta, kLayerNormEps, s.normed);
    in = s.normed;
  }
  run_linear(k, w.qkv, rows, in, Activation::none, false, s.qkv);
  // Head h: q at column h*(2kd+d), k at +kd, v at +2kd of a crop's [N, heads*(2kd+d)] rows;
  // its output fills columns [h*d, (h+1)*d) of the [updated rows, heads*d] concatenation.
  const AttentionShape shape{updated.count, N, kd, d, width, width, width, mixed,
                             1.0f / std::sqrt(static_cast<float>(kd)), w.heads, group_width, group_width,
                             group_width, d};
  for (int b = 0; b < crops; ++b) {
    const float* qkv = s.qkv + std::size_t(b) * N * width;
    const float* queries = qkv + std::size_t(updated.first) * width;
    k.attention(shape, queries, qkv + kd, qkv + 2 * kd, s.mixed + std::size_t(b) * updated.count * mixed, s.kernel,
                s.kernel_threads);
  }
  const int kept_rows = crops * updated.count;
  k.activate(Activation::relu, s.mixed, std::size_t(kept_rows) * mixed);
  float* kept = compact_stream(x, crops, N, updated, C);
  run_linear(k, w.proj, kept_rows, s.mixed, Activation::none, true, kept);  // x += BN(proj(...)), BN folded
}

void ffn_residual(const KernelTable& k, const FfnWeights& w, int rows, float* x, const TokenScratch& s) {
  const int N = rows, C = w.fc1.in;
  const float* in = x;
  if (w.norm.present()) {
    k.layer_norm(x, N, C, w.norm.gamma, w.norm.beta, kLayerNormEps, s.normed);
    in = s.normed;
  }
  run_linear(k, w.fc1, N, in, w.gelu ? Activation::gelu_erf : Activation::relu, false, s.hidden);
  run_linear(k, w.fc2, N, s.hidden, Activation::none, true, x);  // x += fc2(...)
}

// ---------------------------------------------------------------------------
// Heads

namespace {

struct BranchSpec {
  const char* name;
  int outputs;
};
constexpr std::array<BranchSpec, 3> kCenterBranches = {{{"ctr", 1}, {"offset", 2}, {"size", 2}}};
constexpr std::array<BranchSpec, 2> kCornerBranches = {{{"tl", 1}, {"br", 1}}};

std::string head_conv(int index, const char* branch) {
  return "box_head.conv" + std::to_string(index) + "_" + branch;
}

// Every branch's tower on the [C, side, side] feature; returns their
// [branches * ch/8, side, side] outputs, branch after branch (one of the two
// scratch buffers).
const float* run_towers(const KernelTable& k, const HeadWeights& w, const float* feature, int side,
                        const HeadScratch& s) {
  const float* in = feature;
  for (int level = 0; level < kHeadTowerDepth; ++level) {
    const ConvWeights& c = w.towers[static_cast<std::size_t>(level)];
    float* out = level % 2 == 0 ? s.tower_a : s.tower_b;
    k.conv2d(c.shape(side, side), in, c.weight, c.bias, Activation::relu, out, s.kernel, s.kernel_threads);
    in = out;
  }
  return in;
}

}  // namespace

std::uint64_t HeadWeights::parameters() const {
  std::uint64_t n = 0;
  for (const HeadBranch& br : branches) {
    for (const ConvWeights& c : br.tower) n += c.parameters();
    n += br.out.parameters();
  }
  return n;
}

std::uint64_t HeadWeights::macs(int side) const {
  std::uint64_t n = 0;
  for (const HeadBranch& br : branches) {
    for (const ConvWeights& c : br.tower) n += c.macs(side);
    n += br.out.macs(side);
  }
  return n;
}

namespace {

// The center head's branches as run_center_cell reads them.
constexpr int kScoreBranch = 0, kOffsetBranch = 1, kSizeBranch = 2;
// The feature cells around one cell that its size and offset depend on:
// (2 * 4 + 1)^2 for the four 3x3 tower levels.
constexpr int kCellWindowSide = 2 * kHeadTowerDepth + 1;
constexpr int kLevel0Side = kCellWindowSide - 2;  // level 0's outputs around the cell

// Branches [first, first + count) of a tower level as bind_head
// concatenates them (level 0: the branches' outputs side by side; deeper
// levels: one group per branch): a view of the same weights and biases.
ConvWeights tower_branches(const ConvWeights& level, int branches, int first, int count) {
  ConvWeights view = level;
  const ConvGeometry& g = level.g;
  const int out_each = g.out / branches;
  const std::size_t weights_each = std::size_t(out_each) * (g.in / g.groups) * g.kernel * g.kernel;
  if (level.weight != nullptr) view.weight = level.weight + std::size_t(first) * weights_each;  // null: describing
  if (level.bias != nullptr) view.bias = level.bias + std::size_t(first) * out_each;
  view.g.out = count * out_each;
  if (g.groups > 1) {
    view.g.in = count * (g.in / g.groups);
    view.g.groups = count;
  }
  return view;
}

// The valid (unpadded) conv over a [in, n, n] window: [out, n-2, n-2].
Conv2dShape window_shape(const ConvWeights& c, int n) {
  Conv2dShape shape = c.shape(n, n);
  shape.pad = 0;
  return shape;
}

// Whether cell (y, x) of an n x n window centred on grid cell (cy, cx) lies on the side x side grid.
bool on_grid(int y, int x, int n, int cy, int cx, int side) {
  const int gy = cy - n / 2 + y, gx = cx - n / 2 + x;
  return gy >= 0 && gy < side && gx >= 0 && gx < side;
}

}  // namespace

std::size_t head_scratch_floats(const KernelTable& k, const HeadWeights& w, int side, int threads) {
  std::size_t n = 0;
  for (const ConvWeights& c : w.towers) n = std::max(n, k.conv2d_scratch_floats(c.shape(side, side), threads));
  for (const HeadBranch& br : w.branches)
    n = std::max(n, k.conv2d_scratch_floats(br.out.shape(side, side), threads));
  if (w.kind == blob::kHeadCenter) {
    const int branches = static_cast<int>(w.branches.size());
    // run_center_cell: levels 1-3 as convs on 7x7, 5x5, 3x3 windows (the score
    // branch's convs are narrower than the fused ones above).
    int window = kLevel0Side;
    for (std::size_t level = 1; level < w.towers.size(); ++level) {
      const ConvWeights c = tower_branches(w.towers[level], branches, kOffsetBranch, 2);
      n = std::max(n, k.conv2d_scratch_floats(window_shape(c, window), threads));
      window -= 2;
    }
    for (const HeadBranch& br : w.branches) n = std::max(n, k.conv2d_scratch_floats(br.out.shape(1, 1), threads));
  }
  return n;
}

std::size_t head_window_floats(const HeadWeights& w) {
  if (w.kind != blob::kHeadCenter) return 0;
  return std::size_t(kLevel0Side) * kLevel0Side * w.cell_level0.in;
}

HeadWeights bind_head(WeightBinder& b, std::uint32_t kind, int channels, int head_channels, bool batch_norm) {
  HeadWeights w;
  w.kind = kind;
  std::vector<BranchSpec> specs;
  if (kind == blob::kHeadCenter) specs.assign(kCenterBranches.begin(), kCenterBranches.end());
  else specs.assign(kCornerBranches.begin(), kCornerBranches.end());
  for (const BranchSpec& spec : specs) {
    HeadBranch br;
    int in = channels;
    for (int level = 0; level < kHeadTowerDepth; ++level) {
      const ConvGeometry g{in, head_channels >> level, 3, 1, 1, 1};  // ch, ch/2, ch/4, ch/8
      const std::string name = head_conv(level + 1, spec.name);
      br.tower[static_cast<std::size_t>(level)] = batch_norm ? b.conv_bn(name, g, true) : b.conv(name, g, true);
      in = g.out;
    }
    br.out = b.conv(head_conv(kHeadTowerDepth + 1, spec.name), {in, spec.outputs, 1, 1, 0, 1}, true);
    w.branches.push_back(br);
  }
  for (std::size_t level = 0; level < w.towers.size(); ++level) {
    std::vector<ConvWeights> convs;
    for (const HeadBranch& br : w.branches) convs.push_back(br.tower[level]);
    w.towers[level] = b.concatenated(convs, level > 0);
  }
  if (kind == blob::kHeadCenter) {
    const ConvWeights v = tower_branches(w.towers[0], static_cast<int>(w.branches.size()), kOffsetBranch, 2);
    w.cell_level0 = b.packed({v.weight, v.bias, v.g.in * v.g.kernel * v.g.kernel, v.g.out, 1, true});
  }
  return w;
}

void run_center_head(const KernelTable& k, const HeadWeights& w, const float* feature, int side,
                     const HeadScratch& s, float* score, float* size, float* offset) {
  const std::size_t cells = std::size_t(side) * side;
  const std::array<float*, 3> outputs = {score, offset, size};  // kCenterBranches order
  const float* towers = run_towers(k, w, feature, side, s);
  for (std::size_t br = 0; br < outputs.size(); ++br) {
    const HeadBranch& branch = w.branches[br];
    const float* tower = towers + br * std::size_t(branch.out.g.in) * cells;
    k.conv2d(branch.out.shape(side, side), tower, branch.out.weight, branch.out.bias, Activation::none, outputs[br],
             s.kernel, s.kernel_threads);
    if (outputs[br] != offset)
      k.sigmoid_clip(outputs[br], std::size_t(branch.out.g.out) * cells, kScoreClipLo, kScoreClipHi);
  }
}

void run_center_score(const KernelTable& k, const HeadWeights& w, const float* feature, int side,
                      const HeadScratch& s, float* score) {
  const int branches = static_cast<int>(w.branches.size());
  const float* in = feature;
  for (int level = 0; level < kHeadTowerDepth; ++level) {
    const ConvWeights c = tower_branches(w.towers[static_cast<std::size_t>(level)], branches, kScoreBranch, 1);
    float* out = level % 2 == 0 ? s.tower_a : s.tower_b;
    k.conv2d(c.shape(side, side), in, c.weight, c.bias, Activation::relu, out, s.kernel, s.kernel_threads);
    in = out;
  }
  const ConvWeights& o = w.branches[kScoreBranch].out;
  k.conv2d(o.shape(side, side), in, o.weight, o.bias, Activation::none, score, s.kernel, s.kernel_threads);
  k.sigmoid_clip(score, std::size_t(o.g.out) * side * side, kScoreClipLo, kScoreClipHi);
}

void run_center_cell(const KernelTable& k, const HeadWeights& w, const float* feature, int side, int cell,
                     const HeadScratch& s, float size[2], float offset[2]) {
  const int branches = static_cast<int>(w.branches.size());
  const int cy = cell / side, cx = cell % side;
  // Level 0 as a GEMM: one im2col row per cell of its 7x7 window, columns
  // (channel, ky, kx) in the conv's order of summation, zeros off the grid.
  // Channel by channel: its 9x9 patch around the cell, then each window
  // cell's 3x3 taps from the patch (bind_head: every tower conv is 3x3, pad 1).
  const int channels = w.towers[0].g.in;
  const int row_floats = w.cell_level0.in;  // channels * 9
  int n = kLevel0Side;
  float patch[kCellWindowSide][kCellWindowSide];
  for (int c = 0; c < channels; ++c) {
    for (int py = 0; py < kCellWindowSide; ++py)
      for (int px = 0; px < kCellWindowSide; ++px)
        patch[py][px] = on_grid(py, px, kCellWindowSide, cy, cx, side)
                            ? feature[(std::size_t(c) * side + (cy - kCellWindowSide / 2 + py)) * side +
                                      (cx - kCellWindowSide / 2 + px)]
                            : 0.0f;
    for (int y = 0; y < n; ++y)
      for (int x = 0; x < n; ++x) {
        float* taps = s.window + std::size_t(y * n + x) * row_floats + std::size_t(c) * 9;
        for (int ky = 0; ky < 3; ++ky)
          for (int kx = 0; kx < 3; ++kx) *taps++ = patch[y + ky][x + kx];
      }
  }
  run_linear(k, w.cell_level0, n * n, s.window, Activation::relu, false, s.tower_b);  // [49, 2 ch]
  k.transpose(s.tower_b, n * n, w.cell_level0.out, false, s.tower_a);                 // [2 ch, 7, 7]
  // Then the offset and size towers on shrinking windows. Each level's cells
  // off the grid are zeroed: the next level reads them as the whole-map conv
  // reads its padding.
  auto zero_off_grid = [&](float* window, int window_channels) {
    for (int ch = 0; ch < window_channels; ++ch)
      for (int y = 0; y < n; ++y)
        for (int x = 0; x < n; ++x)
          if (!on_grid(y, x, n, cy, cx, side)) window[(std::size_t(ch) * n + y) * n + x] = 0.0f;
  };
  zero_off_grid(s.tower_a, w.cell_level0.out);
  const float* in = s.tower_a;
  for (int level = 1; level < kHeadTowerDepth; ++level) {
    const ConvWeights c = tower_branches(w.towers[static_cast<std::size_t>(level)], branches, kOffsetBranch, 2);
    float* out = level % 2 == 0 ? s.tower_a : s.tower_b;
    k.conv2d(window_shape(c, n), in, c.weight, c.bias, Activation::relu, out, s.kernel, s.kernel_threads);
    n -= 2;
    zero_off_grid(out, c.g.out);
    in = out;
  }
  // n == 1: in = the offset tower's last channels at the cell, then the size tower's.
  const ConvWeights& to_offset = w.branches[kOffsetBranch].out;
  const ConvWeights& to_size = w.branches[kSizeBranch].out;
  // The size through sigmoid_clip in whole vectors (16 floats: one or more
  // on every ISA), as over the whole map: its element-by-element tail
  // computes the exp differently.
  alignas(64) float outputs[2][16] = {};
  k.conv2d(to_offset.shape(1, 1), in, to_offset.weight, to_offset.bias, Activation::none, outputs[0], s.kernel, s.kernel_threads);
  k.conv2d(to_size.shape(1, 1), in + to_offset.g.in, to_size.weight, to_size.bias, Activation::none, outputs[1],
           s.kernel, s.kernel_threads);
  k.sigmoid_clip(outputs[1], 16, kScoreClipLo, kScoreClipHi);
  offset[0] = outputs[0][0];
  offset[1] = outputs[0][1];
  size[0] = outputs[1][0];
  size[1] = outputs[1][1];
}

CornerResult run_corner_head(const KernelTable& k, const HeadWeights& w, const float* feature, int side,
                             int crop_side, const HeadScratch& s, float* logits_tl, float* logits_br,
                             float* prob_tl, float* prob_br) {
  const std::size_t cells = std::size_t(side) * side;
  const float stride = static_cast<float>(crop_side / side);  // 16 pixels per cell
  const std::array<float*, 2> logits = {logits_tl, logits_br};
  const std::array<float*, 2> probs = {prob_tl, prob_br};
  // Cell coordinates: stride*i for the top-left corner, stride*i + stride-1 for the bottom-right.
  const std::array<float, 2> offsets = {0.0f, stride - 1.0f};
  CornerResult r;
  std::array<float, 2> peaks{};
  const float* towers = run_towers(k, w, feature, side, s);
  for (std::size_t br = 0; br < 2; ++br) {
    const HeadBranch& branch = w.branches[br];
    const float* tower = towers + br * std::size_t(branch.out.g.in) * cells;
    k.conv2d(branch.out.shape(side, side), tower, branch.out.weight, branch.out.bias, Activation::none, logits[br],
             s.kernel, s.kernel_threads);
    float expected[2];
    k.soft_argmax(logits[br], side, side, stride, offsets[br], probs[br], expected);
    r.box[2 * br] = expected[0] / static_cast<float>(crop_side);
    r.box[2 * br + 1] = expected[1] / static_cast<float>(crop_side);
    peaks[br] = *std::max_element(probs[br], probs[br] + cells);
  }
  r.peak_top_left = peaks[0];
  r.peak_bottom_right = peaks[1];
  return r;
}

}  // namespace et
