#include "net/config_names.h"

#include <array>
#include <cstdint>
#include <vector>

#include "weights/blob_format.h"
#include "weights/error.h"

namespace et {
namespace {

constexpr std::uint32_t kEtHeads = 4;
constexpr std::uint32_t kGroupKeyDim = 16;
constexpr std::uint32_t kVitHeadDim = 64;
constexpr std::uint32_t kCenterHeadChannels = 128;
constexpr std::uint32_t kMaxDepth = 64, kMaxChannels = 2048;

const char* const kEtGrammar = "et-c{C}-d{D}-{af|faf|gaf|fgaf}-{bn|ln}-{conv3x3|conv2x2}-{center|corner}";
const char* const kVitGrammar = "vit-d{D}-c{C}-{standard|conv3x3|conv2x2}-{center|corner}";

struct Choice {
  const char* word;
  std::uint32_t code;
};
constexpr std::array<Choice, 4> kBlocks = {{{"af", blob::kBlockAF},
                                            {"faf", blob::kBlockFAF},
                                            {"gaf", blob::kBlockGAF},
                                            {"fgaf", blob::kBlockFGAF}}};
constexpr std::array<Choice, 2> kNorms = {{{"bn", blob::kNormBatchNorm}, {"ln", blob::kNormLayerNorm}}};
constexpr std::array<Choice, 2> kEtPatches = {{{"conv3x3", blob::kPatchConv3x3}, {"conv2x2", blob::kPatchConv2x2}}};
constexpr std::array<Choice, 3> kVitPatches = {
    {{"standard", blob::kPatchStandard}, {"conv3x3", blob::kPatchConv3x3}, {"conv2x2", blob::kPatchConv2x2}}};
constexpr std::array<Choice, 2> kHeads = {{{"center", blob::kHeadCenter}, {"corner", blob::kHeadCorner}}};

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> parts(1);
  for (char ch : s) {
    if (ch == '-') parts.emplace_back();
    else parts.back() += ch;
  }
  return parts;
}

class NameParser {
 public:
  NameParser(const std::string& name, const char* grammar) : name_(name), grammar_(grammar), parts_(split(name)) {}

  void expect_parts(std::size_t n) const {
    if (parts_.size() != n)
      fail(std::to_string(parts_.size()) + " dash-separated parts, expected " + std::to_string(n) + ": " +
           grammar_);
  }

  // Part `index` (1-based in messages) is `prefix` followed by a decimal number.
  std::uint32_t number(std::size_t index, char prefix, const char* what, std::uint32_t lo, std::uint32_t hi,
                       std::uint32_t multiple) const {
    const std::string& p = parts_[index];
    const std::string where = std::string(what) + " '" + p + "' (part " + std::to_string(index + 1) + ")";
    const std::string allowed = multiple > 1 ? "a multiple of " + std::to_string(multiple) + " in " +
                                                   std::to_string(lo) + ".." + std::to_string(hi)
                                             : std::to_string(lo) + ".." + std::to_string(hi);
    bool digits = p.size() >= 2 && p.size() <= 6 && p[0] == prefix && (p[1] != '0' || p.size() == 2);
    for (std::size_t i = 1; digits && i < p.size(); ++i) digits = p[i] >= '0' && p[i] <= '9';
    if (!digits) fail(where + ": expected " + prefix + "N with N " + allowed);
    const auto v = static_cast<std::uint32_t>(std::stoul(p.substr(1)));
    if (v < lo || v > hi || v % multiple != 0) fail(where + ": got " + std::to_string(v) + ", expected " + allowed);
    return v;
  }

  template <std::size_t N>
  std::uint32_t choice(std::size_t index, const char* what, const std::array<Choice, N>& choices) const {
    for (const Choice& c : choices)
      if (parts_[index] == c.word) return c.code;
    std::string allowed;
    for (std::size_t i = 0; i < N; ++i)
      allowed += std::string(i == 0 ? "" : i + 1 == N ? " or " : ", ") + choices[i].word;
    fail(std::string(what) + " '" + parts_[index] + "' (part " + std::to_string(index + 1) + "): expected " +
         allowed);
  }

  [[noreturn]] void fail(const std::string& what) const {
    throw Error("model name '" + name_ + "': " + what);
  }

 private:
  const std::string& name_;
  const char* grammar_;
  std::vector<std::string> parts_;
};

template <std::size_t N>
const char* word_of(const std::array<Choice, N>& choices, std::uint32_t code) {
  for (const Choice& c : choices)
    if (c.code == code) return c.word;
  return nullptr;
}

ModelConfig common(std::uint32_t family, std::uint32_t depth, std::uint32_t channels) {
  ModelConfig c;
  c.family = family;
  c.depth = depth;
  c.channels = channels;
  c.template_size = 128;
  c.search_size = 256;
  return c;
}

}  // namespace

bool is_config_name(const std::string& name) {
  if (name.find('/') != std::string::npos || name.ends_with(".etb")) return false;
  return name.starts_with("et-") || name.starts_with("vit-");
}

ModelConfig parse_config_name(const std::string& name) {
  if (name.starts_with("et-")) {
    const NameParser p(name, kEtGrammar);
    p.expect_parts(7);
    const std::uint32_t C = p.number(1, 'c', "channels", 16, kMaxChannels, 16);
    ModelConfig c = common(blob::kFamilyEfficientTrack, p.number(2, 'd', "depth", 1, kMaxDepth, 1), C);
    c.block_type = p.choice(3, "block type", kBlocks);
    c.norm = p.choice(4, "norm flavour", kNorms);
    c.patch_embed = p.choice(5, "patch embed", kEtPatches);
    c.head_kind = p.choice(6, "head", kHeads);
    c.heads = kEtHeads;
    const bool group = c.block_type == blob::kBlockGAF || c.block_type == blob::kBlockFGAF;
    const bool leading_ffn = c.block_type == blob::kBlockFAF || c.block_type == blob::kBlockFGAF;
    c.mlp_ratio = leading_ffn ? 2 : 4;
    c.value_dim = C / kEtHeads;
    // GA key dim 16, or C/(4H) with the conv2x2 stem (models.md).
    c.key_dim = !group ? C / kEtHeads : c.patch_embed == blob::kPatchConv2x2 ? C / (4 * kEtHeads) : kGroupKeyDim;
    c.head_channels = c.head_kind == blob::kHeadCenter ? kCenterHeadChannels : C;
    return c;
  }
  if (name.starts_with("vit-")) {
    const NameParser p(name, kVitGrammar);
    p.expect_parts(5);
    const std::uint32_t depth = p.number(1, 'd', "depth", 1, kMaxDepth, 1);
    const std::uint32_t C = p.number(2, 'c', "channels", kVitHeadDim, kMaxChannels, kVitHeadDim);
    ModelConfig c = common(blob::kFamilyVittrack, depth, C);
    c.block_type = blob::kBlockVit;
    c.norm = blob::kNormLayerNorm;
    c.patch_embed = p.choice(3, "patch embed", kVitPatches);
    c.head_kind = p.choice(4, "head", kHeads);
    c.heads = C / kVitHeadDim;
    c.mlp_ratio = 4;
    c.key_dim = kVitHeadDim;
    c.value_dim = kVitHeadDim;
    c.head_channels = c.head_kind == blob::kHeadCenter ? kCenterHeadChannels : C;
    return c;
  }
  throw Error("model name '" + name + "': expected " + kEtGrammar + " or " + kVitGrammar);
}

std::string config_name(const ModelConfig& c) {
  const auto num = [](std::uint32_t v) { return std::to_string(v); };
  const char* head = word_of(kHeads, c.head_kind);
  if (c.family == blob::kFamilyEfficientTrack) {
    const char* block = word_of(kBlocks, c.block_type);
    const char* norm = word_of(kNorms, c.norm);
    const char* patch = word_of(kEtPatches, c.patch_embed);
    if (block && norm && patch && head) {
      const std::string name = "et-c" + num(c.channels) + "-d" + num(c.depth) + "-" + block + "-" + norm + "-" +
                               patch + "-" + head;
      if (parse_config_name(name) == c) return name;
    }
  } else if (c.family == blob::kFamilyVittrack) {
    const char* patch = word_of(kVitPatches, c.patch_embed);
    if (patch && head) {
      const std::string name = "vit-d" + num(c.depth) + "-c" + num(c.channels) + "-" + patch + "-" + head;
      if (parse_config_name(name) == c) return name;
    }
  }
  throw Error("config of family " + family_name(c.family) + " (channels " + num(c.channels) + ", depth " +
              num(c.depth) + ") has no config name: it is not one that " + kEtGrammar + " or " + kVitGrammar +
              " builds");
}

}  // namespace et
