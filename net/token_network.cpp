#include "net/token_network.h"

#include <algorithm>

#include "kernels/openmp.h"
#include "weights/blob_format.h"
#include "weights/error.h"

namespace et {

TokenNetwork::TokenNetwork(std::shared_ptr<const Model> model, const TokenNetworkSizes& sizes)
    : model_(std::move(model)), sizes_(sizes), kernel_threads_(std::max(1, openmp_max_threads())) {
  const std::size_t B = std::size_t(sizes.batch);
  const std::size_t N = std::size_t(sizes.tokens), C = std::size_t(sizes.channels);
  const std::size_t cells = std::size_t(sizes.search_grid) * sizes.search_grid;
  ArenaPlan plan;
  std::vector<ArenaPlan::Id> stem;
  int side = sizes.search_side;
  const std::size_t stages = sizes.stem->stages.size();
  for (std::size_t s = 0; s < stages; ++s) {
    const ConvWeights& c = sizes.stem->stages[s];
    side = c.out_side(side);
    // The last stage's output is read while assembling the tokens.
    const int first = kStem0 + static_cast<int>(s);
    stem.push_back(plan.request(std::size_t(c.g.out) * side * side, first, s + 1 == stages ? kTokens : first + 1));
  }
  const auto templ = plan.request(sizes.template_floats, kStem0, kLast);
  // With several crops the stem runs again after the first crop's tokens are
  // written: then the stream must not share memory with the stem buffers.
  const auto tokens = plan.request(B * N * C, B > 1 ? kStem0 : kTokens, kFinalNorm);
  const auto normed = plan.request(B * N * C, kBlocks, kHead);
  const auto qkv = plan.request(B * N * std::size_t(sizes.qkv_width), kBlocks, kBlocks);
  const auto mixed = plan.request(B * N * std::size_t(sizes.mixed_width), kBlocks, kBlocks);
  const auto hidden = plan.request(B * N * std::size_t(sizes.hidden), kBlocks, kBlocks);
  const KernelTable& k = *sizes.kernels;
  // The kernels' own scratch, live throughout: the stem's and the head's
  // im2col panels, the attention blocks.
  const std::size_t kernel_floats =
      std::max({stem_scratch_floats(k, *sizes.stem, sizes.search_side, kernel_threads_),
                head_scratch_floats(k, *sizes.head, sizes.search_grid, kernel_threads_),
                attention_scratch_floats(k, sizes.tokens, sizes.heads, sizes.key_dim, sizes.value_dim,
                                         kernel_threads_)});
  const auto kernel = plan.request(kernel_floats, kStem0, kLast);
  const auto feature = plan.request(C * cells, kHead, kHead);
  const std::size_t branches = sizes.head->branches.size();
  const auto tower_a = plan.request(branches * sizes.head_channels * cells, kHead, kHead);
  const auto tower_b = plan.request(branches * (sizes.head_channels / 2) * cells, kHead, kHead);
  const auto window = plan.request(std::max<std::size_t>(1, head_window_floats(*sizes.head)), kHead, kHead);
  const bool center = sizes.head->kind == blob::kHeadCenter;
  // Outputs persist until the next run().
  out_b_floats_ = (center ? 2 : 1) * cells;
  out_c_floats_ = (center ? 2 : 1) * cells;
  out_d_floats_ = center ? 0 : cells;
  const auto out_a = plan.request(B * cells, kStem0, kLast);
  const auto out_b = plan.request(B * out_b_floats_, kStem0, kLast);
  const auto out_c = plan.request(B * out_c_floats_, kStem0, kLast);
  const auto out_d = plan.request(B * out_d_floats_, kStem0, kLast);
  arena_ = Arena(plan.finalize());
  corner_.resize(B);
  cells_.resize(B);

  auto at = [&](ArenaPlan::Id id) { return arena_.at(plan.offset(id)); };
  for (ArenaPlan::Id id : stem) stem_buffers_.push_back(at(id));
  template_state_ = at(templ);
  tokens_ = at(tokens);
  kernel_scratch_ = at(kernel);
  scratch_ = {at(normed), at(qkv), at(mixed), at(hidden), kernel_scratch_, kernel_threads_};
  feature_ = at(feature);
  head_scratch_ = {at(tower_a), at(tower_b), at(window), kernel_scratch_, kernel_threads_};
  out_a_ = at(out_a);
  out_b_ = at(out_b);
  out_c_ = at(out_c);
  out_d_ = at(out_d);
}

const float* TokenNetwork::embed(const float* image, int side) {
  return run_stem(kernels(), *sizes_.stem, image, side, stem_buffers_, kernel_scratch_, kernel_threads_);
}

void TokenNetwork::embed_template_tokens(const float* z, int side, const float* pos_z, int count,
                                         ActivationProbe* probe) {
  embed_tokens(kernels(), embed(z, side), pos_z, count, sizes_.channels, template_state_);
  emit(probe, "patch_embed.z", template_state_, {count, sizes_.channels});
  has_template_ = true;
}

int TokenNetwork::begin_batch(std::span<const float* const> crops) const {
  require_template();
  if (crops.empty() || crops.size() > std::size_t(sizes_.batch))
    throw Error("network: run_batch() of " + std::to_string(crops.size()) + " crops, this network takes 1 to " +
                std::to_string(sizes_.batch) + " (Model::create_network(max_batch))");
  return static_cast<int>(crops.size());
}

void TokenNetwork::assemble_template_first(std::span<const float* const> crops, int side, const float* pos_x,
                                           int template_count, int search_count, ActivationProbe* probe) {
  const std::size_t C = std::size_t(sizes_.channels), N = std::size_t(sizes_.tokens);
  for (std::size_t b = 0; b < crops.size(); ++b) {
    // The stem first: with one crop its buffers may share memory with the tokens.
    const float* embedding = embed(crops[b], side);
    float* stream = tokens_ + b * N * C;
    std::copy(template_state_, template_state_ + template_count * C, stream);
    float* search = stream + template_count * C;
    embed_tokens(kernels(), embedding, pos_x, search_count, sizes_.channels, search);
    emit(probe, "patch_embed.x", search, {search_count, sizes_.channels});
  }
}

StreamRows TokenNetwork::block_rows(int block, int depth) const {
  return updated_rows(block, depth, sizes_.tokens, sizes_.first_search_row, sizes_.search_grid * sizes_.search_grid);
}

void TokenNetwork::run_vit_block(int block, int depth, const AttentionWeights& attn, const FfnWeights& mlp, int crops,
                                 ActivationProbe* probe) {
  const int N = sizes_.tokens, C = sizes_.channels;
  const StreamRows rows = block_rows(block, depth);
  attention_residual(kernels(), attn, crops, N, rows, tokens_, scratch_);
  float* kept = tokens_ + std::size_t(rows.first) * C;
  emit(probe, block, ".attn", kept, {crops * rows.count, C});
  ffn_residual(kernels(), mlp, crops * rows.count, kept, scratch_);
  emit(probe, block, "", kept, {crops * rows.count, C});
}

void TokenNetwork::finish(const NormWeights& norm, int crops, ActivationProbe* probe) {
  const int grid = sizes_.search_grid;
  const std::size_t cells = std::size_t(grid) * grid, C = std::size_t(sizes_.channels);
  const int rows = crops * grid * grid;
  const float* search = tokens_ + std::size_t(sizes_.first_search_row) * C;  // compacted by the last block
  kernels().layer_norm(search, rows, sizes_.channels, norm.gamma, norm.beta, kLayerNormEps, scratch_.normed);
  emit(probe, "norm", scratch_.normed, {rows, sizes_.channels});
  for (std::size_t b = 0; b < std::size_t(crops); ++b) {
    const float* search_tokens = scratch_.normed + b * cells * C;
    kernels().transpose(search_tokens, grid * grid, sizes_.channels, false, feature_);  // [256, C] -> [C, 16, 16]
    float* a = out_a_ + b * cells;
    float* o_b = out_b_ + b * out_b_floats_;
    float* o_c = out_c_ + b * out_c_floats_;
    float* o_d = out_d_ + b * out_d_floats_;
    if (sizes_.head->kind == blob::kHeadCenter && select_cell_) {
      run_center_score(kernels(), *sizes_.head, feature_, grid, head_scratch_, a);
      emit(probe, "head.score", a, {1, grid, grid});
      const int cell = select_cell_(std::span<const float>(a, cells));
      if (cell < 0 || std::size_t(cell) >= cells)
        throw Error("network: center cell selector: got cell " + std::to_string(cell) + ", expected 0.." +
                    std::to_string(cells - 1));
      CenterCell& c = cells_[b];
      c.cell = cell;
      run_center_cell(kernels(), *sizes_.head, feature_, grid, cell, head_scratch_, c.size, c.offset);
    } else if (sizes_.head->kind == blob::kHeadCenter) {
      run_center_head(kernels(), *sizes_.head, feature_, grid, head_scratch_, a, o_c, o_b);
      emit(probe, "head.score", a, {1, grid, grid});
      emit(probe, "head.size", o_c, {2, grid, grid});
      emit(probe, "head.offset", o_b, {2, grid, grid});
    } else {
      CornerResult& r = corner_[b];
      r = run_corner_head(kernels(), *sizes_.head, feature_, grid, sizes_.search_side, head_scratch_, a, o_b, o_c,
                          o_d);
      emit(probe, "head.tl", a, {1, grid, grid});
      emit(probe, "head.br", o_b, {1, grid, grid});
      emit(probe, "head.box", r.box.data(), {4});
    }
  }
}

void TokenNetwork::check_crop(int crop) const {
  if (crop < 0 || crop >= sizes_.batch)
    throw Error("network: crop " + std::to_string(crop) + " of a network for " + std::to_string(sizes_.batch) +
                " crops");
}

CenterHeadMaps TokenNetwork::center_maps(int crop) const {
  if (sizes_.head->kind != blob::kHeadCenter)
    throw Error("network: center_maps(): this model has a corner head; read corner_output()");
  check_crop(crop);
  const std::size_t cells = std::size_t(sizes_.search_grid) * sizes_.search_grid, b = std::size_t(crop);
  if (select_cell_) return {{out_a_ + b * cells, cells}, {}, {}};
  return {{out_a_ + b * cells, cells}, {out_c_ + b * out_c_floats_, 2 * cells}, {out_b_ + b * out_b_floats_, 2 * cells}};
}

void TokenNetwork::select_center_cell(CenterCellSelector select) {
  if (sizes_.head->kind != blob::kHeadCenter) return Network::select_center_cell(std::move(select));  // throws
  select_cell_ = std::move(select);
  for (CenterCell& c : cells_) c = CenterCell{};
}

CenterCell TokenNetwork::center_cell(int crop) const {
  if (sizes_.head->kind != blob::kHeadCenter) return Network::center_cell(crop);  // throws
  if (!select_cell_) throw Error("network: center_cell(): no cell selector set; read center_maps()");
  check_crop(crop);
  return cells_[std::size_t(crop)];
}

HeadKind TokenNetwork::head_kind() const {
  return sizes_.head->kind == blob::kHeadCenter ? HeadKind::center : HeadKind::corner;
}

CornerHeadOutput TokenNetwork::corner_output(int crop) const {
  if (sizes_.head->kind != blob::kHeadCorner) return Network::corner_output(crop);  // throws
  check_crop(crop);
  const std::size_t cells = std::size_t(sizes_.search_grid) * sizes_.search_grid, b = std::size_t(crop);
  const CornerResult& r = corner_[b];
  CornerHeadOutput o;
  o.top_left = {out_c_ + b * out_c_floats_, cells};
  o.bottom_right = {out_d_ + b * out_d_floats_, cells};
  o.box = r.box;
  o.peak_top_left = r.peak_top_left;
  o.peak_bottom_right = r.peak_bottom_right;
  o.confidence = r.peak_top_left * r.peak_bottom_right;
  return o;
}

void TokenNetwork::require_template() const {
  if (!has_template_) throw Error("network: run() before set_template(): no template embedding");
}

void TokenNetwork::emit(ActivationProbe* probe, std::string_view name, const float* data,
                        std::initializer_list<std::int64_t> shape) {
  if (probe == nullptr) return;
  std::size_t n = 1;
  for (std::int64_t s : shape) n *= static_cast<std::size_t>(s);
  const std::vector<std::int64_t> dims(shape);
  probe->observe(name, {data, n}, dims);
}

void TokenNetwork::emit(ActivationProbe* probe, int block, std::string_view suffix, const float* data,
                        std::initializer_list<std::int64_t> shape) {
  if (probe == nullptr) return;
  emit(probe, "blocks." + std::to_string(block) + std::string(suffix), data, shape);
}

StageCost vit_block_cost(const std::string& name, const AttentionWeights& attn, const FfnWeights& mlp, int tokens,
                         int updated) {
  return block_cost(name, attn.parameters() + mlp.parameters(),
                    {{name + ".attn", attn.macs(tokens, tokens), attn.macs(tokens, updated)},
                     {name + ".ffn", mlp.macs(tokens), mlp.macs(updated)}});
}

std::vector<StageCost> token_stage_costs(const StemWeights& stem, int template_side, int search_side,
                                         std::uint64_t template_parameters, std::uint64_t search_parameters,
                                         std::vector<StageCost> blocks, int channels, const HeadWeights& head,
                                         int grid) {
  std::vector<StageCost> costs;
  const std::uint64_t template_macs = stem.macs(template_side), search_macs = stem.macs(search_side);
  costs.push_back({"patch_embed (template, at init)", template_parameters, template_macs, template_macs, true, {}});
  costs.push_back({"patch_embed (search)", stem.parameters() + search_parameters, search_macs, search_macs, false, {}});
  for (StageCost& b : blocks) costs.push_back(std::move(b));
  costs.push_back({"norm", 2 * std::uint64_t(channels), 0, 0, false, {}});
  costs.push_back({head.kind == blob::kHeadCenter ? "head (center)" : "head (corner)", head.parameters(),
                   head.macs(grid), head.macs(grid), false, {}});
  return costs;
}

}  // namespace et
