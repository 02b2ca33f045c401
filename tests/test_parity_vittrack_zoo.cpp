// vittrack-zoo parity: the engine against (1) an independent implementation's
// outputs (../shared/reference/vittrack_randn_io.npz, converted to a golden
// blob by tools/dump_golden.py) and (2) the project's PyTorch reference layer
// by layer, computed in float64 on seeded random inputs.
#include <doctest/doctest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>

#include "net/model.h"
#include "tests/parity_util.h"
#include "tests/test_util.h"
#include "weights/blob.h"

namespace et {
namespace {

using test::compare;
using test::Deviation;
using test::Recorder;

const std::string kGoldenDir = ET_TEST_GOLDEN_DIR;
const std::string kZooBlob = ET_TEST_ZOO_BLOB;

// Tolerance per layer, relative to the layer's largest reference magnitude
// (floored at 1): 8 u sqrt(K), u = 2^-24 the float32 unit roundoff and K the
// summed reduction lengths on the path from the input to that layer (random
// rounding errors grow like sqrt(K)). vittrack-zoo: the stem sums
// 27+54+108+216 = 405 terms; each block's attention adds qkv 48, q.k 48,
// p.v 320 and proj 48 (464), its MLP fc1 48 and fc2 192 (240); the final
// norm 48; the head 48*9+32*9+16*9+8*9+4 = 940. Observed errors sit 10-20x
// below these bounds (1.6e-6 relative at blocks.2, bound 2.4e-5).
double tolerance(const std::string& layer) {
  constexpr double kStem = 405, kAttn = 464, kMlp = 240, kNorm = 48, kHead = 940;
  double k = kStem;
  if (layer.starts_with("blocks.")) {
    const int block = std::stoi(layer.substr(7));
    k += block * (kAttn + kMlp) + kAttn + (layer.ends_with(".attn") ? 0 : kMlp);
  } else if (layer == "norm") {
    k += 3 * (kAttn + kMlp) + kNorm;
  } else if (layer.starts_with("head.")) {
    k += 3 * (kAttn + kMlp) + kNorm + kHead;
  }
  return 8.0 * std::ldexp(1.0, -24) * std::sqrt(k);
}

struct Run {
  std::shared_ptr<const Model> model = Model::load(kZooBlob);
  std::unique_ptr<Network> net = model->create_network();
  Recorder recorder;

  void forward(const BlobFile& golden) {
    net->set_template(golden.require("input.z").data, &recorder);
    net->run(golden.require("input.x").data, &recorder);
  }
};

}  // namespace

TEST_CASE("parity: vittrack-zoo matches the independent golden (vittrack_randn_io.npz) within 1e-4") {
  auto golden = BlobFile::open(kGoldenDir + "/vittrack_randn_io.etb");
  test::for_each_isa([&](Isa isa) {
    INFO("kernels ", std::string(isa_name(isa)));
    Run run;
    run.forward(*golden);
    for (const char* head_map : {"head.score", "head.size", "head.offset"}) {
      const std::string name = head_map;
      const Deviation e = compare(run.recorder.seen.at(name).values, golden->require(name).values());
      MESSAGE("[" << std::string(isa_name(isa)) << "] " << name << ": max abs error " << e.max_abs << " (bound 1e-4)");
      CHECK(e.max_abs <= 1e-4);
    }
  });
}

TEST_CASE("parity: vittrack-zoo matches the PyTorch reference layer by layer") {
  test::for_each_isa([&](Isa isa) {
  for (int seed : {1, 2}) {
    INFO("golden seed ", seed, " (tools/dump_golden.py --seeds ", seed, "), kernels ", std::string(isa_name(isa)));
    auto golden = BlobFile::open(kGoldenDir + "/vittrack_zoo_seed" + std::to_string(seed) + ".etb");
    Run run;
    run.forward(*golden);
    std::size_t compared = 0;
    for (const TensorInfo& t : golden->tensors()) {
      if (t.name.starts_with("input.")) continue;
      INFO("layer ", t.name);
      REQUIRE(run.recorder.seen.contains(t.name));
      const auto& got = run.recorder.seen.at(t.name);
      const test::Emitted want = test::emitted_part(t.name, t.values(), t.shape, 3, 64, 256);  // [template; search]
      REQUIRE(got.shape == want.shape);
      const Deviation e = compare(got.values, want.values);
      const double relative = e.max_abs / std::max(1.0, e.ref_max);
      MESSAGE("[" << std::string(isa_name(isa)) << "] seed " << seed << " " << t.name << ": max abs error " << e.max_abs << ", relative "
                      << relative << " (bound " << tolerance(t.name) << ", |ref| max " << e.ref_max << ")");
      CHECK(relative <= tolerance(t.name));
      ++compared;
    }
    CHECK(compared == 2 + 2 * 3 + 1 + 3);  // patch embeds, 3 x (attn, block), norm, 3 head maps
  }
  });
}

TEST_CASE("parity: results are bit-identical whatever the thread count") {
  auto golden = BlobFile::open(kGoldenDir + "/vittrack_zoo_seed1.etb");
  test::for_each_isa([&](Isa isa) {
  INFO("kernels ", std::string(isa_name(isa)));
  const int saved = omp_get_max_threads();
  std::map<int, std::vector<float>> outputs;
  for (int threads : {1, 2, 3}) {
    omp_set_num_threads(threads);
    Run run;
    run.forward(*golden);
    const CenterHeadMaps maps = run.net->center_maps();
    std::vector<float> all(maps.score.begin(), maps.score.end());
    all.insert(all.end(), maps.size.begin(), maps.size.end());
    all.insert(all.end(), maps.offset.begin(), maps.offset.end());
    const auto& tokens = run.recorder.seen.at("norm").values;
    all.insert(all.end(), tokens.begin(), tokens.end());
    outputs[threads] = all;
  }
  omp_set_num_threads(saved);
  CHECK(std::memcmp(outputs[1].data(), outputs[2].data(), outputs[1].size() * sizeof(float)) == 0);
  CHECK(std::memcmp(outputs[1].data(), outputs[3].data(), outputs[1].size() * sizeof(float)) == 0);
  });
}

TEST_CASE("parity: the cached template embedding serves many searches") {
  auto g1 = BlobFile::open(kGoldenDir + "/vittrack_zoo_seed1.etb");
  auto g2 = BlobFile::open(kGoldenDir + "/vittrack_zoo_seed2.etb");
  Run a;
  a.forward(*g1);
  const std::vector<float> first(a.net->center_maps().score.begin(), a.net->center_maps().score.end());
  // Another search in between must not disturb the template state.
  a.net->run(g2->require("input.x").data);
  a.net->run(g1->require("input.x").data);
  const auto again = a.net->center_maps().score;
  CHECK(std::equal(first.begin(), first.end(), again.begin()));
  // Two networks of one model do not share scratch.
  Run b;
  b.forward(*g2);
  a.net->run(g1->require("input.x").data);
  CHECK(std::equal(first.begin(), first.end(), a.net->center_maps().score.begin()));
}

}  // namespace et
