// Config names (`--model et-...`, `vit-...`), the seeded random weights they
// are built from, and the config checks of the two research families.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>

#include "net/config_names.h"
#include "net/model.h"
#include "net/random_weights.h"
#include "tests/test_util.h"
#include "weights/blob_format.h"
#include "weights/blob_writer.h"

namespace et {

using test::error_of;

TEST_CASE("config names: EfficientTrack fields follow models.md") {
  const ModelConfig af = parse_config_name("et-c128-d3-af-ln-conv3x3-center");
  CHECK(af.family == blob::kFamilyEfficientTrack);
  CHECK(af.channels == 128);
  CHECK(af.depth == 3);
  CHECK(af.heads == 4);
  CHECK(af.block_type == blob::kBlockAF);
  CHECK(af.norm == blob::kNormLayerNorm);
  CHECK(af.patch_embed == blob::kPatchConv3x3);
  CHECK(af.head_kind == blob::kHeadCenter);
  CHECK(af.head_channels == 128);
  CHECK(af.mlp_ratio == 4);  // AF: FFN(4C)
  CHECK(af.key_dim == 32);   // A: C/H
  CHECK(af.value_dim == 32);
  CHECK(af.template_size == 128);
  CHECK(af.search_size == 256);

  const ModelConfig fgaf = parse_config_name("et-c256-d2-fgaf-bn-conv3x3-corner");
  CHECK(fgaf.norm == blob::kNormBatchNorm);
  CHECK(fgaf.mlp_ratio == 2);  // FGAF: FFN(2C) twice
  CHECK(fgaf.key_dim == 16);   // GA key dim 16
  CHECK(fgaf.value_dim == 64);
  CHECK(fgaf.head_kind == blob::kHeadCorner);
  CHECK(fgaf.head_channels == 256);  // corner head: C

  CHECK(parse_config_name("et-c128-d2-gaf-bn-conv2x2-center").key_dim == 8);  // conv2x2: C/(4H)
  CHECK(parse_config_name("et-c256-d2-faf-bn-conv2x2-center").key_dim == 64); // A blocks keep C/H
}

TEST_CASE("config names: VitTrack-family fields follow models.md") {
  const ModelConfig v = parse_config_name("vit-d12-c256-conv2x2-corner");
  CHECK(v.family == blob::kFamilyVittrack);
  CHECK(v.depth == 12);
  CHECK(v.channels == 256);
  CHECK(v.heads == 4);  // C/64
  CHECK(v.block_type == blob::kBlockVit);
  CHECK(v.norm == blob::kNormLayerNorm);
  CHECK(v.patch_embed == blob::kPatchConv2x2);
  CHECK(v.head_channels == 256);
  CHECK(v.mlp_ratio == 4);
  CHECK(v.key_dim == 64);
  CHECK(v.value_dim == 64);
  CHECK(parse_config_name("vit-d3-c768-standard-center").head_channels == 128);
  CHECK(parse_config_name("vit-d3-c768-standard-center").patch_embed == blob::kPatchStandard);
}

TEST_CASE("config names: names round-trip and are told apart from paths") {
  for (const char* name : {"et-c16-d1-af-bn-conv2x2-center", "et-c2048-d64-fgaf-ln-conv3x3-corner",
                           "vit-d3-c128-standard-corner", "vit-d12-c768-conv3x3-center"})
    CHECK(config_name(parse_config_name(name)) == name);
  CHECK(is_config_name("et-c128-d3-af-ln-conv3x3-center"));
  CHECK(is_config_name("vit-anything"));
  CHECK_FALSE(is_config_name("et-c128.etb"));
  CHECK_FALSE(is_config_name("models/et-c128-d3-af-ln-conv3x3-center"));
  CHECK_FALSE(is_config_name("vittrack-zoo"));
  ModelConfig zoo = parse_config_name("vit-d3-c128-standard-corner");
  zoo.family = blob::kFamilyVittrackZoo;
  CHECK(error_of([&] { config_name(zoo); }).starts_with("config of family vittrack-zoo (channels 128, depth 3) has no "
                                                        "config name"));
}

TEST_CASE("config names: a malformed name says which part is wrong and what is allowed") {
  auto err = [](const std::string& name) { return error_of([&] { parse_config_name(name); }); };
  CHECK(err("et-c256-d3-fgax-bn-conv3x3-center") ==
        "model name 'et-c256-d3-fgax-bn-conv3x3-center': block type 'fgax' (part 4): expected af, faf, gaf or fgaf");
  CHECK(err("et-c250-d3-af-bn-conv3x3-center") ==
        "model name 'et-c250-d3-af-bn-conv3x3-center': channels 'c250' (part 2): got 250, expected a multiple of 16 "
        "in 16..2048");
  CHECK(err("et-c0128-d3-af-bn-conv3x3-center") ==
        "model name 'et-c0128-d3-af-bn-conv3x3-center': channels 'c0128' (part 2): expected cN with N a multiple of "
        "16 in 16..2048");
  CHECK(err("et-c128-d0-af-bn-conv3x3-center") ==
        "model name 'et-c128-d0-af-bn-conv3x3-center': depth 'd0' (part 3): got 0, expected 1..64");
  CHECK(err("et-c128-d3-af-gn-conv3x3-center") ==
        "model name 'et-c128-d3-af-gn-conv3x3-center': norm flavour 'gn' (part 5): expected bn or ln");
  CHECK(err("et-c128-d3-af-bn-standard-center") ==
        "model name 'et-c128-d3-af-bn-standard-center': patch embed 'standard' (part 6): expected conv3x3 or conv2x2");
  CHECK(err("et-c128-d3-af-bn-conv3x3-box") ==
        "model name 'et-c128-d3-af-bn-conv3x3-box': head 'box' (part 7): expected center or corner");
  CHECK(err("et-c128-d3-af-bn-conv3x3") ==
        "model name 'et-c128-d3-af-bn-conv3x3': 6 dash-separated parts, expected 7: "
        "et-c{C}-d{D}-{af|faf|gaf|fgaf}-{bn|ln}-{conv3x3|conv2x2}-{center|corner}");
  CHECK(err("vit-c128-d3-standard-corner") ==
        "model name 'vit-c128-d3-standard-corner': depth 'c128' (part 2): expected dN with N 1..64");
  CHECK(err("vit-d3-c100-standard-corner") ==
        "model name 'vit-d3-c100-standard-corner': channels 'c100' (part 3): got 100, expected a multiple of 64 in "
        "64..2048");
  CHECK(err("vit-d3-c128-conv5x5-corner") ==
        "model name 'vit-d3-c128-conv5x5-corner': patch embed 'conv5x5' (part 4): expected standard, conv3x3 or "
        "conv2x2");
}

TEST_CASE("config names: Model::load builds seeded weights whose seed changes values, not the config") {
  const std::string name = "et-c32-d1-fgaf-bn-conv2x2-corner";
  auto a = Model::load(name, 7), b = Model::load(name, 7), c = Model::load(name, 8);
  CHECK(a->config() == parse_config_name(name));
  CHECK(a->config() == c->config());
  CHECK(a->blob().path() == name + " (seed 7, generated)");
  const auto bytes = [](const Model& m) {
    const TensorInfo& t = m.blob().require("blocks.0.mixer.proj.weight");
    return std::vector<float>(t.values().begin(), t.values().end());
  };
  CHECK(bytes(*a) == bytes(*b));
  CHECK(bytes(*a) != bytes(*c));
  CHECK(Model::load(name)->blob().path() == name + " (seed 0, generated)");
  CHECK(error_of([&] { resolve_model_path(name); }) ==
        "model '" + name + "': a config name has no file; Model::load builds it from seeded weights");
}

TEST_CASE("stage costs: every block lists its sub-layers as the bench names them, their MACs adding up") {
  for (const char* name : {"et-c16-d2-af-ln-conv2x2-center", "et-c16-d1-fgaf-bn-conv3x3-corner",
                           "et-c16-d2-faf-bn-conv2x2-corner",
                           "et-c32-d1-faf-ln-conv3x3-center", "et-c16-d1-gaf-bn-conv2x2-corner",
                           "vit-d2-c64-standard-corner"}) {
    INFO(name);
    const auto model = Model::load(name, 1);
    const int depth = static_cast<int>(parse_config_name(name).depth);
    int blocks = 0;
    for (const StageCost& s : model->stage_costs()) {
      if (!s.name.starts_with("blocks.")) {
        CHECK(s.parts.empty());
        CHECK(s.executed_macs == s.macs);
        continue;
      }
      INFO(s.name);
      const std::string prefix = s.name + ".";
      std::uint64_t sum = 0, executed = 0;
      for (const StageCost::Part& p : s.parts) {
        CHECK(p.name.starts_with(prefix));
        CHECK(p.macs > 0);
        sum += p.macs;
        executed += p.executed_macs;
        // The last block skips work: its mixer's queries and its last FFN
        // are the search rows (256 of 320 or 321). Block 0's leading FFN
        // runs on the 256 search rows of 320 (the template's 64 pass it once,
        // in set_template); the later blocks' leading FFNs run whole.
        if (p.name.ends_with(".ffn0")) CHECK(p.executed_macs * 320 == p.macs * (blocks == 0 ? 256 : 320));
        else if (blocks + 1 < depth) CHECK(p.executed_macs == p.macs);
        else CHECK((p.executed_macs < p.macs && p.executed_macs >= p.macs * 256 / 321));
      }
      CHECK(sum == s.macs);
      CHECK(executed == s.executed_macs);
      // The last sub-layer is the block's output, which the bench's table calls <block>.ffn.
      REQUIRE(!s.parts.empty());
      CHECK(s.parts.back().name == prefix + "ffn");
      ++blocks;
    }
    CHECK(blocks == depth);
  }
  // vittrack-zoo's last block: attention 320 keys x 256 queries x (48 + 48) +
  // qkv 320 x 48 x 144 + proj 256 x 48 x 48; FFN 256 x 2 x 48 x 192.
  const std::vector<StageCost> zoo = Model::load(ET_TEST_ZOO_BLOB)->stage_costs();
  const StageCost& last = zoo[4];
  REQUIRE(last.name == "blocks.2");
  CHECK(last.parts[0].executed_macs == 256u * 320 * 96 + 320 * 48 * 144 + 256 * 48 * 48);
  CHECK(last.parts[1].executed_macs == 256u * 2 * 48 * 192);
  CHECK(last.parts[0].macs == 320u * 320 * 96 + 320 * 48 * 144 + 320 * 48 * 48);
  // FGAF: ffn0 -> group attention -> ffn1
  const std::vector<StageCost> fgaf = Model::load("et-c16-d1-fgaf-bn-conv3x3-corner", 1)->stage_costs();
  std::vector<std::string> names;
  for (const StageCost::Part& p : fgaf[2].parts) names.push_back(p.name);
  CHECK(names == std::vector<std::string>{"blocks.0.ffn0", "blocks.0.mixer", "blocks.0.ffn"});
}

TEST_CASE("seeded weights: each stream is fixed by (seed, name) and spans center +- scale") {
  CHECK(fnv1a64("") == 0xCBF29CE484222325ull);
  CHECK(fnv1a64("a") == 0xAF63DC4C8601EC8Cull);  // the FNV-1a test vector
  const auto v = random_tensor(3, "blocks.0.mixer.qkv.weight", 10000, 1.0f, 0.5f);
  CHECK(v == random_tensor(3, "blocks.0.mixer.qkv.weight", 10000, 1.0f, 0.5f));
  CHECK(v != random_tensor(4, "blocks.0.mixer.qkv.weight", 10000, 1.0f, 0.5f));
  CHECK(v != random_tensor(3, "blocks.0.mixer.qkv.bias", 10000, 1.0f, 0.5f));
  // A prefix of a longer stream: element i depends on i only.
  const auto longer = random_tensor(3, "blocks.0.mixer.qkv.weight", 20000, 1.0f, 0.5f);
  CHECK(std::equal(v.begin(), v.end(), longer.begin()));
  double sum = 0;
  for (float x : v) {
    CHECK((x >= 0.5f && x < 1.5f));
    sum += x;
  }
  CHECK(std::fabs(sum / 10000 - 1.0) < 0.01);
}

TEST_CASE("seeded weights: BatchNorm statistics are non-trivial, so folding changes the conv") {
  // pre-fold conv weights are U(+-1/sqrt(fan_in)); folded ones are scaled by gamma/sqrt(var+eps) in ~[0.6, 1.8].
  auto model = Model::load("et-c16-d1-af-bn-conv2x2-center", 2);
  const TensorInfo& w = model->blob().require("patch_embed.0.weight");  // [2,3,2,2], fan_in 12
  const auto raw = random_tensor(2, "patch_embed.0.conv.weight", w.element_count(), 0.0f,
                                 static_cast<float>(1.0 / std::sqrt(12.0)));
  int differing = 0;
  for (std::size_t i = 0; i < raw.size(); ++i) differing += w.values()[i] != raw[i];
  CHECK(differing == static_cast<int>(raw.size()));
  // The folded bias is (0 - mean) * s + beta: non-zero although the conv has none.
  for (float b : model->blob().require("patch_embed.0.bias").values()) CHECK(b != 0.0f);
}

TEST_CASE("config checks: the loader refuses inconsistent family configs") {
  auto load_error = [](const ModelConfig& c) {
    BlobWriter w(c);
    const std::vector<float> one = {1};
    w.add("x", {1}, one);
    const auto bytes = w.bytes();
    return error_of([&] { BlobFile::from_memory(bytes.data(), bytes.size(), "c.etb"); });
  };
  ModelConfig et = parse_config_name("et-c128-d2-gaf-bn-conv3x3-center");
  et.value_dim = 16;
  CHECK(load_error(et) == "c.etb: config value_dim: got 16, expected channels / heads = 32");
  et = parse_config_name("et-c128-d2-af-bn-conv3x3-center");
  et.key_dim = 16;
  CHECK(load_error(et) == "c.etb: config key_dim: got 16, expected 32 (= channels / heads in A blocks)");
  et.key_dim = 32;
  et.patch_embed = blob::kPatchStandard;
  CHECK(load_error(et) == "c.etb: config patch_embed: got 2, expected 0 or 1 (conv3x3, conv2x2) for efficienttrack");
  ModelConfig vit = parse_config_name("vit-d2-c128-standard-corner");
  vit.block_type = blob::kBlockAF;
  CHECK(load_error(vit) == "c.etb: config block_type: got 1, expected 0 (vit) for the vittrack family");
  // A valid config whose tensors are missing: the model names the first one.
  const ModelConfig ok = parse_config_name("vit-d2-c128-standard-corner");
  BlobWriter w(ok);
  const std::vector<float> one = {1};
  w.add("x", {1}, one);
  const auto bytes = w.bytes();
  CHECK(error_of([&] { Model::from_blob(BlobFile::from_memory(bytes.data(), bytes.size(), "m.etb")); }) ==
        "m.etb: tensor cls_token: missing (expected shape [1,128] for vittrack (depth 2, channels 128, standard))");
}

}  // namespace et
