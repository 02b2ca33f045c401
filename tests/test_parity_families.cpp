// EfficientTrack and VitTrack-family parity: for every config of
// tests/family_goldens.txt (the covering set is explained there), the engine
// with its own seeded weights against the PyTorch reference layer by layer
// (tools/dump_golden_family.py: float64, BatchNorm unfolded), and the
// engine's seeded blob against the Python exporter's, byte for byte.
#include <doctest/doctest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "net/config_names.h"
#include "net/layers.h"
#include "net/model.h"
#include "net/packed_weights.h"
#include "net/random_weights.h"
#include "tests/parity_util.h"
#include "tests/test_util.h"
#include "weights/blob.h"
#include "weights/blob_format.h"

namespace et {
namespace {

using test::compare;
using test::Deviation;
using test::Recorder;

const std::string kGoldenDir = std::string(ET_TEST_GOLDEN_DIR) + "/family";

struct Entry {
  std::string name;
  std::uint64_t seed = 0;
  std::string golden() const { return kGoldenDir + "/" + name + "_seed" + std::to_string(seed) + ".etb"; }
  std::string weights() const {
    return kGoldenDir + "/" + name + "_seed" + std::to_string(seed) + ".weights.etb";
  }
};

std::vector<Entry> entries(const std::string& prefix) {
  std::ifstream in(ET_TEST_FAMILY_GOLDEN_LIST);
  REQUIRE(in.good());
  std::vector<Entry> all;
  std::string line;
  while (std::getline(in, line)) {
    line = line.substr(0, line.find('#'));
    std::istringstream words(line);
    Entry e;
    if (words >> e.name >> e.seed && e.name.starts_with(prefix)) all.push_back(e);
  }
  return all;
}

// Summed reduction lengths K from the input to each probed layer. The bound
// per layer is 8 u sqrt(K) relative to the layer's largest reference
// magnitude (floored at 1), u = 2^-24: random rounding errors grow like
// sqrt(K). Counted: each conv's in/groups*k*k, each linear's in, each
// LayerNorm's C, q.k's key dim, p.v's N keys, the corner soft-argmax's 256
// cells. E.g. et-c256-d2-fgaf-ln-conv3x3-center: stem 27+288+576+1152 =
// 2043; per block ffn0 256+256+512, GA 256+64+16+320+256, ffn1 1024;
// final norm 256; head 2304+1152+576+288+16: K = 9375 at the head maps,
// bound 4.6e-5.
std::map<std::string, double> reduction_lengths(const ModelConfig& c) {
  const double C = c.channels, N = c.family == blob::kFamilyVittrack ? 321 : 320;
  const double hidden = double(c.channels) * c.mlp_ratio, kd = c.key_dim, d = c.value_dim, H = c.heads;
  const bool batch_norm = c.norm == blob::kNormBatchNorm;
  std::map<std::string, double> k;
  double sum = 0;
  if (c.patch_embed == blob::kPatchStandard) {
    sum = 3 * 16 * 16;
  } else {
    const double taps = c.patch_embed == blob::kPatchConv3x3 ? 9 : 4;
    sum = taps * (3 + C / 8 + C / 4 + C / 2);
  }
  k["patch_embed.z"] = k["patch_embed.x"] = sum;
  const double ffn = (batch_norm ? 0 : C) + C + hidden;
  const double attention = C + C + C / H + N + C;  // LN, qkv, q.k, p.v, proj
  const double group = (batch_norm ? 0 : C) + C / H + kd + N + H * d;
  for (std::uint32_t i = 0; i < c.depth; ++i) {
    const std::string b = "blocks." + std::to_string(i);
    if (c.family == blob::kFamilyVittrack) {
      k[b + ".attn"] = sum += attention;
      k[b] = sum += ffn;
      continue;
    }
    if (c.block_type == blob::kBlockFAF || c.block_type == blob::kBlockFGAF) k[b + ".ffn0"] = sum += ffn;
    const bool ga = c.block_type == blob::kBlockGAF || c.block_type == blob::kBlockFGAF;
    k[b + ".mixer"] = sum += ga ? group : attention;
    k[b] = sum += ffn;
  }
  k["norm"] = sum += C;
  const double ch = c.head_channels;
  sum += 9 * (C + ch + ch / 2 + ch / 4) + ch / 8;
  for (const char* map : {"head.score", "head.size", "head.offset", "head.tl", "head.br"}) k[map] = sum;
  k["head.box"] = sum + 256;
  return k;
}

void check_parity(const Entry& e) {
  test::for_each_isa([&](Isa isa) {
  // ET_TEST_REDUCED (the sanitizer builds, the NEON run under qemu): the
  // fast kernels only. The reference kernels' plain loops take minutes per
  // model there; they run natively here, and instrumented in
  // tests/test_ref_kernels.cpp and test_kernels.cpp.
  if (test::reduced_run() && isa == Isa::reference) return;
  INFO("config ", e.name, " seed ", e.seed, " kernels ", std::string(isa_name(isa)),
       " (regenerate: tools/dump_golden_family.py --out-dir DIR --configs ", e.name, ":", e.seed, ")");
  auto golden = BlobFile::open(e.golden());
  auto model = Model::load(e.name, e.seed);
  auto net = model->create_network();
  Recorder recorder;
  net->set_template(golden->require("input.z").data, &recorder);
  net->run(golden->require("input.x").data, &recorder);
  const auto bounds = reduction_lengths(model->config());
  // Where a crop's search tokens start: [cls; search; template] (VitTrack)
  // or [template; search] (EfficientTrack).
  const ModelConfig& c = model->config();
  const int search_grid = static_cast<int>(c.search_size) / kPatchStride;
  const int template_grid = static_cast<int>(c.template_size) / kPatchStride;
  const int first_search_row = c.family == blob::kFamilyVittrack ? 1 : template_grid * template_grid;
  std::size_t compared = 0;
  for (const TensorInfo& t : golden->tensors()) {
    if (t.name.starts_with("input.")) continue;
    INFO("layer ", t.name);
    REQUIRE(recorder.seen.contains(t.name));
    REQUIRE(bounds.contains(t.name));
    const auto& got = recorder.seen.at(t.name);
    const test::Emitted want = test::emitted_part(t.name, t.values(), t.shape, static_cast<int>(c.depth),
                                                  first_search_row, search_grid * search_grid);
    REQUIRE(got.shape == want.shape);
    const Deviation dev = compare(got.values, want.values);
    const double relative = dev.max_abs / std::max(1.0, dev.ref_max);
    const double bound = 8.0 * std::ldexp(1.0, -24) * std::sqrt(bounds.at(t.name));
    MESSAGE(e.name << " seed " << e.seed << " [" << std::string(isa_name(isa)) << "] " << t.name << ": max abs error " << dev.max_abs << ", relative "
                   << relative << " (bound " << bound << ", |ref| max " << dev.ref_max << ")");
    CHECK(relative <= bound);
    ++compared;
  }
  // Every probed layer has a golden and vice versa.
  CHECK(compared == recorder.seen.size());
  CHECK(compared >= 2 + 2 * model->config().depth + 1 + 3);
  });
}

// ET_TEST_REDUCED runs the first `reduced` configs only: under qemu the
// C=256 models were 110 s of the NEON test, and the C=128 configs already
// cover every block type, norm, stem and head through the same kernels.
void check_all(const std::string& prefix, std::size_t expected, std::size_t reduced) {
  const auto list = entries(prefix);
  CHECK(list.size() == expected);
  const std::size_t count = test::reduced_run() ? std::min(reduced, list.size()) : list.size();
  for (std::size_t i = 0; i < count; ++i) check_parity(list[i]);
}

}  // namespace

TEST_CASE("parity: EfficientTrack C=128 configs match the PyTorch reference layer by layer") {
  check_all("et-c128-", 4, 4);
}

TEST_CASE("parity: EfficientTrack C=256 configs match the PyTorch reference layer by layer") {
  check_all("et-c256-", 4, 1);
}

TEST_CASE("parity: VitTrack-family configs match the PyTorch reference layer by layer") { check_all("vit-", 4, 4); }

TEST_CASE("families: the engine's seeded blob is byte-identical to tools/export_family.py's") {
  const auto list = entries("");
  CHECK(list.size() == 12);
  for (const Entry& e : list) {
    INFO("config ", e.name, " seed ", e.seed);
    const std::vector<std::uint8_t> exported = test::file_bytes(e.weights());
    const std::vector<unsigned char> built = random_blob_bytes(parse_config_name(e.name), e.seed);
    REQUIRE(built.size() == exported.size());
    CHECK(std::memcmp(built.data(), exported.data(), built.size()) == 0);
  }
}

TEST_CASE("families: the corner head's output agrees with its maps") {
  const Entry e = entries("et-c128-d2-faf")[0];
  INFO("config ", e.name, " seed ", e.seed);
  auto golden = BlobFile::open(e.golden());
  auto net = Model::load(e.name, e.seed)->create_network();
  Recorder recorder;
  net->set_template(golden->require("input.z").data);
  net->run(golden->require("input.x").data, &recorder);
  REQUIRE(net->head_kind() == HeadKind::corner);
  CHECK(test::error_of([&] { net->center_maps(); }) ==
        "network: center_maps(): this model has a corner head; read corner_output()");
  const CornerHeadOutput out = net->corner_output();
  const auto& box = recorder.seen.at("head.box").values;
  for (std::size_t i = 0; i < 4; ++i) CHECK(out.box[i] == box[i]);
  CHECK(out.box[0] < out.box[2]);  // random weights: near-uniform maps, br coordinates are 15 px further
  for (const auto& [probs, logits, peak] :
       {std::tuple{out.top_left, "head.tl", out.peak_top_left}, std::tuple{out.bottom_right, "head.br", out.peak_bottom_right}}) {
    REQUIRE(probs.size() == 256);
    double sum = 0;
    for (float p : probs) sum += p;
    CHECK(sum == doctest::Approx(1.0).epsilon(1e-5));
    CHECK(peak == *std::max_element(probs.begin(), probs.end()));
    // The most likely cell is the largest logit's.
    const auto& l = recorder.seen.at(logits).values;
    CHECK(std::max_element(l.begin(), l.end()) - l.begin() == std::max_element(probs.begin(), probs.end()) - probs.begin());
  }
  CHECK(out.confidence == out.peak_top_left * out.peak_bottom_right);
}

TEST_CASE("families: a center-head network has no corner output") {
  auto net = Model::load("et-c16-d1-af-bn-conv2x2-center", 1)->create_network();
  CHECK(net->head_kind() == HeadKind::center);
  CHECK(test::error_of([&] { net->corner_output(); }) ==
        "network: corner_output(): this model has a center head; read center_maps()");
}

TEST_CASE("families: template caching and thread count do not change results") {
  // Small configs of each mixer type: the checks are exact.
  for (const char* name : {"et-c32-d1-fgaf-bn-conv2x2-corner", "et-c32-d1-faf-ln-conv3x3-center",
                           "vit-d1-c64-standard-corner"}) {
    INFO("config ", name, " seed 5");
    auto model = Model::load(name, 5);
    const auto z = test::random_values(3 * 128 * 128, 1), x1 = test::random_values(3 * 256 * 256, 2),
               x2 = test::random_values(3 * 256 * 256, 3);
    auto result = [&](Network& net) {
      Recorder r;
      net.run(x1.data(), &r);
      return r.seen.at("norm").values;
    };
    const int saved = omp_get_max_threads();
    omp_set_num_threads(1);
    auto a = model->create_network();
    a->set_template(z.data());
    const std::vector<float> first = result(*a);
    omp_set_num_threads(3);
    auto b = model->create_network();
    b->set_template(z.data());
    b->run(x2.data());  // another search in between must not disturb the template state
    const std::vector<float> again = result(*b);
    omp_set_num_threads(saved);
    CHECK(std::memcmp(first.data(), again.data(), first.size() * sizeof(float)) == 0);
  }
}

}  // namespace et

namespace et {
namespace {

using ModelList = std::vector<std::pair<std::string, std::uint64_t>>;

// body(model, template crop) for every runnable ISA (active while it runs)
// and every (config name or blob, seed) of `models`. What these tests check
// is the network's, the same over every ISA's kernels: a reduced run
// (sanitizers, qemu) checks the best ISA only.
template <class Body>
void for_each_isa_and_model(const ModelList& models, const Body& body) {
  const Isa best = active_kernels().isa;
  test::for_each_isa([&](Isa isa) {
    if (test::reduced_run() && isa != best) return;
    for (const auto& [name, seed] : models) {
      INFO("ISA ", isa_name(isa), ", model ", name, " seed ", seed);
      const auto model = Model::load(name, seed);
      const ModelConfig& c = model->config();
      body(model, test::random_values(3 * std::size_t(c.template_size) * c.template_size, 1));
    }
  });
}

// Every output of crop `crop` of `batched` equals that of `single`, bit for bit.
void check_same_outputs(const Network& batched, int crop, const Network& single) {
  auto same = [](std::span<const float> a, std::span<const float> b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
  };
  if (single.head_kind() == HeadKind::center) {
    const CenterHeadMaps a = batched.center_maps(crop), b = single.center_maps();
    CHECK(same(a.score, b.score));
    CHECK(same(a.size, b.size));
    CHECK(same(a.offset, b.offset));
  } else {
    const CornerHeadOutput a = batched.corner_output(crop), b = single.corner_output();
    CHECK(same(a.top_left, b.top_left));
    CHECK(same(a.bottom_right, b.bottom_right));
    CHECK(a.box == b.box);
    CHECK(a.confidence == b.confidence);
  }
}

}  // namespace

TEST_CASE("families: a batch of crops gives every crop its single-run result, bit for bit") {
  // One config per mixer type and head, and the trained model.
  const ModelList models = {{"et-c32-d1-fgaf-bn-conv2x2-corner", 5},
                            {"et-c32-d1-faf-ln-conv3x3-center", 5},
                            {"vit-d1-c64-standard-corner", 5},
                            {ET_TEST_ZOO_BLOB, 0}};
  for_each_isa_and_model(models, [&](const auto& model, const std::vector<float>& z) {
    const ModelConfig& c = model->config();
    std::vector<std::vector<float>> x;
    for (std::uint32_t i = 0; i < 3; ++i)
      x.push_back(test::random_values(3 * std::size_t(c.search_size) * c.search_size, 10 + i));
    auto batched = model->create_network(4);
    auto single = model->create_network();
    CHECK(batched->max_batch() == 4);
    CHECK(single->max_batch() == 1);
    batched->set_template(z.data());
    single->set_template(z.data());
    const std::vector<const float*> three = {x[0].data(), x[1].data(), x[2].data()};
    batched->run_batch(three);
    for (int i = 0; i < 3; ++i) {
      single->run(x[std::size_t(i)].data());
      check_same_outputs(*batched, i, *single);
    }
    // Fewer crops than planned, in another order.
    const std::vector<const float*> two = {x[2].data(), x[0].data()};
    batched->run_batch(two);
    single->run(x[2].data());
    check_same_outputs(*batched, 0, *single);
    single->run(x[0].data());
    check_same_outputs(*batched, 1, *single);
  });
}

TEST_CASE("families: batch sizes out of range are refused with the limits") {
  auto model = Model::load("et-c16-d1-af-bn-conv2x2-center", 1);
  CHECK(test::error_of([&] { model->create_network(0); }) == "network: batch of 0 crops, expected 1 to 256");
  CHECK(test::error_of([&] { model->create_network(257); }) == "network: batch of 257 crops, expected 1 to 256");
  auto net = model->create_network(2);
  const auto z = test::random_values(3 * 128 * 128, 1), x = test::random_values(3 * 256 * 256, 2);
  const std::vector<const float*> three = {x.data(), x.data(), x.data()};
  CHECK(test::error_of([&] { net->run_batch(three); }) ==
        "network: run() before set_template(): no template embedding");
  net->set_template(z.data());
  CHECK(test::error_of([&] { net->run_batch(three); }) ==
        "network: run_batch() of 3 crops, this network takes 1 to 2 (Model::create_network(max_batch))");
  CHECK(test::error_of([&] { net->run_batch({}); }) ==
        "network: run_batch() of 0 crops, this network takes 1 to 2 (Model::create_network(max_batch))");
  CHECK(test::error_of([&] { net->center_maps(2); }) == "network: crop 2 of a network for 2 crops");
  CHECK(test::error_of([&] { net->center_maps(-1); }) == "network: crop -1 of a network for 2 crops");
}

}  // namespace et

namespace et {

// The heads run their branches' towers as one (HeadWeights::towers): level 0
// one conv with every branch's outputs side by side, deeper levels one group
// per branch. Each output must be the sum the branch alone computes, bit for
// bit, under every ISA; odd sizes (20 input channels, towers 10/5/... wide,
// a 7x7 map) so that tiles end part-way.
TEST_CASE("head: the branches' towers fused into one conv per level equal each branch alone, bit for bit") {
  constexpr int kIn = 20, kSide = 7, kBranches = 3;
  const std::array<int, kHeadTowerDepth> widths = {10, 5, 3, 2};
  const std::size_t cells = std::size_t(kSide) * kSide;
  test::for_each_isa([&](Isa isa) {
    INFO(isa_name(isa));
    const KernelTable& k = active_kernels();
    std::vector<std::vector<float>> storage;  // every branch conv's weights and bias
    std::vector<std::array<ConvWeights, kHeadTowerDepth>> towers(kBranches);
    for (int br = 0; br < kBranches; ++br) {
      int in = kIn;
      for (int level = 0; level < kHeadTowerDepth; ++level) {
        ConvWeights& c = towers[br][level];
        c.g = {in, widths[level], 3, 1, 1, 1};
        c.has_bias = br != 1;  // one branch without bias: its part of the fused bias is zeros
        storage.push_back(test::random_values(std::size_t(c.g.out) * in * 9, 100 + 10 * br + level, 0.3f));
        c.weight = storage.back().data();
        if (c.has_bias) {
          storage.push_back(test::random_values(std::size_t(c.g.out), 200 + 10 * br + level, 0.5f));
          c.bias = storage.back().data();
        }
        in = c.g.out;
      }
    }
    PackedWeights packed(k);
    WeightBinder binder(nullptr, &packed);
    std::array<ConvWeights, kHeadTowerDepth> fused;
    for (int level = 0; level < kHeadTowerDepth; ++level) {
      std::vector<ConvWeights> convs;
      for (int br = 0; br < kBranches; ++br) convs.push_back(towers[br][level]);
      fused[level] = binder.concatenated(convs, level > 0);
      CHECK(fused[level].g.out == kBranches * widths[level]);
      CHECK(fused[level].g.groups == (level > 0 ? kBranches : 1));
    }
    const auto feature = test::random_values(kIn * cells, 7);
    std::size_t scratch_floats = 0;
    for (int level = 0; level < kHeadTowerDepth; ++level) {
      scratch_floats = std::max(scratch_floats, k.conv2d_scratch_floats(fused[level].shape(kSide, kSide), 1));
      for (int br = 0; br < kBranches; ++br)
        scratch_floats = std::max(scratch_floats, k.conv2d_scratch_floats(towers[br][level].shape(kSide, kSide), 1));
    }
    std::vector<float> scratch(scratch_floats), a(kBranches * widths[0] * cells), b(a.size());
    // Fused: feature -> a -> b -> a -> b.
    const float* in = feature.data();
    for (int level = 0; level < kHeadTowerDepth; ++level) {
      float* out = level % 2 == 0 ? a.data() : b.data();
      k.conv2d(fused[level].shape(kSide, kSide), in, fused[level].weight, fused[level].bias, Activation::relu, out,
               scratch.data(), 1);
      in = out;
    }
    for (int br = 0; br < kBranches; ++br) {
      INFO("branch " << br);
      std::vector<float> x = feature, y;
      for (int level = 0; level < kHeadTowerDepth; ++level) {
        const ConvWeights& c = towers[br][level];
        y.assign(std::size_t(c.g.out) * cells, 0.0f);
        k.conv2d(c.shape(kSide, kSide), x.data(), c.weight, c.bias, Activation::relu, y.data(), scratch.data(), 1);
        x = y;
      }
      const float* fused_branch = in + std::size_t(br) * widths.back() * cells;
      CHECK(std::memcmp(fused_branch, x.data(), x.size() * sizeof(float)) == 0);
    }
  });
}

}  // namespace et

namespace et {

// Network::select_center_cell: the score map whole, the size and offset at
// one cell through that cell's windows of the towers (run_center_cell).
// Every value must be the whole maps' there, bit for bit, at cells in the
// corners, on the edges, one and two cells in (the windows cut by the grid
// on one side or two) and inside; for each ISA's kernels.
TEST_CASE("head: a center cell picked from the score map equals the whole maps there, bit for bit") {
  const ModelList models = {{"et-c32-d1-faf-ln-conv3x3-center", 5},
                            {"et-c16-d1-af-bn-conv2x2-center", 1},
                            {ET_TEST_ZOO_BLOB, 0}};
  // Corners, edges, one and two cells in (the windows cut on one side or two), inside.
  const std::vector<int> cells = {0, 15, 240, 255, 1, 17, 34, 16 * 2 + 13, 16 * 7, 16 * 15 + 8, 16 * 8 + 7,
                                  16 * 4 + 11};
  auto bits_equal = [](float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; };
  for_each_isa_and_model(models, [&](const auto& model, const std::vector<float>& z) {
    const ModelConfig& c = model->config();
    const auto x = test::random_values(3 * std::size_t(c.search_size) * c.search_size, 2);
    auto net = model->create_network();
    net->set_template(z.data());
    net->run(x.data());
    const CenterHeadMaps maps = net->center_maps();
    const std::vector<float> score(maps.score.begin(), maps.score.end()), size(maps.size.begin(), maps.size.end()),
        offset(maps.offset.begin(), maps.offset.end());
    CHECK(test::error_of([&] { net->center_cell(); }) ==
          "network: center_cell(): no cell selector set; read center_maps()");
    for (const int cell : cells) {
      INFO("cell ", cell);
      bool saw_score = false;
      net->select_center_cell([&](std::span<const float> s) {
        saw_score = s.size() == score.size() && std::memcmp(s.data(), score.data(), s.size_bytes()) == 0;
        return cell;
      });
      net->run(x.data());
      CHECK(saw_score);
      const CenterHeadMaps lazy = net->center_maps();
      CHECK(std::memcmp(lazy.score.data(), score.data(), score.size() * sizeof(float)) == 0);
      CHECK(lazy.size.empty());
      CHECK(lazy.offset.empty());
      const CenterCell got = net->center_cell();
      CHECK(got.cell == cell);
      CHECK(bits_equal(got.size[0], size[std::size_t(cell)]));
      CHECK(bits_equal(got.size[1], size[256 + std::size_t(cell)]));
      CHECK(bits_equal(got.offset[0], offset[std::size_t(cell)]));
      CHECK(bits_equal(got.offset[1], offset[256 + std::size_t(cell)]));
    }
    net->select_center_cell(nullptr);  // whole maps again
    net->run(x.data());
    CHECK(std::memcmp(net->center_maps().size.data(), size.data(), size.size() * sizeof(float)) == 0);
  });
}

TEST_CASE("head: a batch in cell mode gives each crop its own cell; bad selectors and heads are errors") {
  auto model = Model::load("et-c16-d1-af-bn-conv2x2-center", 1);
  const auto z = test::random_values(3 * 128 * 128, 1);
  const auto x1 = test::random_values(3 * 256 * 256, 2), x2 = test::random_values(3 * 256 * 256, 3);
  auto single = model->create_network();
  single->set_template(z.data());
  auto batched = model->create_network(2);
  batched->set_template(z.data());
  // The plain argmax of each crop's score map.
  batched->select_center_cell([](std::span<const float> s) {
    return static_cast<int>(std::max_element(s.begin(), s.end()) - s.begin());
  });
  const std::vector<const float*> two = {x1.data(), x2.data()};
  batched->run_batch(two);
  for (int i = 0; i < 2; ++i) {
    INFO("crop ", i);
    single->run(two[std::size_t(i)]);
    const CenterHeadMaps m = single->center_maps();
    const auto cell = static_cast<std::size_t>(std::max_element(m.score.begin(), m.score.end()) - m.score.begin());
    const CenterCell got = batched->center_cell(i);
    CHECK(got.cell == static_cast<int>(cell));
    CHECK(got.size[0] == m.size[cell]);
    CHECK(got.size[1] == m.size[256 + cell]);
    CHECK(got.offset[0] == m.offset[cell]);
    CHECK(got.offset[1] == m.offset[256 + cell]);
  }
  CHECK(test::error_of([&] { batched->center_cell(2); }) == "network: crop 2 of a network for 2 crops");
  single->select_center_cell([](std::span<const float>) { return 256; });
  CHECK(test::error_of([&] { single->run(x1.data()); }) ==
        "network: center cell selector: got cell 256, expected 0..255");
  auto corner = Model::load("vit-d1-c64-standard-corner")->create_network();
  CHECK(test::error_of([&] { corner->select_center_cell([](std::span<const float>) { return 0; }); }) ==
        "network: select_center_cell(): this model has a corner head");
  CHECK(test::error_of([&] { corner->center_cell(); }) ==
        "network: center_cell(): this model has a corner head; read corner_output()");
}

}  // namespace et
