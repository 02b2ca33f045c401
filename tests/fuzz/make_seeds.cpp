// Writes the seed corpus of the fuzz targets (tests/fuzz/generated/corpus/): small
// valid inputs made by the project's own writers, committed so that every
// fuzz run starts from files that pass the loaders. Regenerate with
//   tools/test_fuzz.sh --make-seeds
// Usage: make_seeds CORPUS_DIR (writes CORPUS_DIR/{blob,image,groundtruth}/).
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "net/model.h"
#include "net/random_weights.h"
#include "tests/tiny_config.h"
#include "tracker/image.h"
#include "tracker/image_write.h"
#include "tracker/sequence.h"
#include "weights/atomic_file.h"
#include "weights/blob_format.h"
#include "weights/blob_writer.h"
#include "weights/error.h"

namespace {

namespace fs = std::filesystem;

void write(const fs::path& path, const std::string& bytes) {
  et::write_file_atomic(path.string(), bytes);
  std::printf("%s: %zu bytes\n", path.string().c_str(), bytes.size());
}

std::string text_of(const std::vector<unsigned char>& bytes) { return std::string(bytes.begin(), bytes.end()); }

// The smallest configs the families accept (C = 8, one block, conv2x2 patch
// embed); random_blob_bytes writes exactly the tensors family_layers asks
// for. Two models (17 and 33 KB: 128-byte table entries and 64-byte aligned
// data dominate) cover both heads, both norms and every block part.
et::ModelConfig tiny_config(std::uint32_t family, std::uint32_t block_type, std::uint32_t norm,
                            std::uint32_t patch_embed, std::uint32_t head_kind) {
  return et::test::tiny_config(family, block_type, norm, patch_embed, head_kind, 8, 1);
}

// A w x h RGB image with a gradient, so the encoders have something to code.
et::Image gradient(int w, int h) {
  et::Image img{w, h, {}};
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < 3; ++c) img.rgb.push_back(static_cast<std::uint8_t>((x * 40 + y * 25 + c * 70) % 256));
  return img;
}

void le(std::string& out, std::uint32_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out += static_cast<char>((v >> (8 * i)) & 0xFF);
}

// 24-bit uncompressed BMP (bottom-up rows, BGR, rows padded to 4 bytes).
std::string bmp(const et::Image& img) {
  const int row = (3 * img.width + 3) / 4 * 4;
  const auto data = static_cast<std::uint32_t>(row * img.height);
  std::string out = "BM";
  le(out, 54 + data, 4), le(out, 0, 4), le(out, 54, 4), le(out, 40, 4);
  le(out, static_cast<std::uint32_t>(img.width), 4), le(out, static_cast<std::uint32_t>(img.height), 4);
  le(out, 1, 2), le(out, 24, 2), le(out, 0, 4), le(out, data, 4), le(out, 2835, 4), le(out, 2835, 4);
  le(out, 0, 4), le(out, 0, 4);
  for (int y = img.height - 1; y >= 0; --y) {
    for (int x = 0; x < img.width; ++x)
      for (int c = 2; c >= 0; --c) out += static_cast<char>(img.rgb[static_cast<std::size_t>(3 * (y * img.width + x) + c)]);
    out.append(static_cast<std::size_t>(row - 3 * img.width), '\0');
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_seeds CORPUS_DIR\n");
    return 2;
  }
  try {
    const fs::path root = argv[1];
    for (const char* sub : {"blob", "image", "groundtruth"}) fs::create_directories(root / sub);

    using namespace et::blob;
    write(root / "blob/vittrack_c8_conv2x2_corner.etb",
          text_of(et::random_blob_bytes(tiny_config(kFamilyVittrack, kBlockVit, kNormLayerNorm, kPatchConv2x2, kHeadCorner), 2)));
    write(root / "blob/efficienttrack_c8_fgaf_bn_conv2x2_center.etb",
          text_of(et::random_blob_bytes(tiny_config(kFamilyEfficientTrack, kBlockFGAF, kNormBatchNorm, kPatchConv2x2, kHeadCenter), 3)));
    et::BlobWriter container{et::ModelConfig{}};  // family none: a tensor container, not a model
    const std::vector<float> a = {1, 2, 3, 4, 5, 6}, b = {7, 8, 9};
    container.add("a", {2, 3}, a);
    container.add("b", {3}, b);
    write(root / "blob/container.etb", text_of(container.bytes()));

    const et::Image img = gradient(5, 3);
    const fs::path png = root / "image/rgb_5x3.png", jpg = root / "image/rgb_16x8.jpg";
    et::save_image(img, png.string());
    et::save_image(gradient(16, 8), jpg.string(), 75);
    std::printf("%s, %s: written by save_image\n", png.string().c_str(), jpg.string().c_str());
    write(root / "image/rgb_5x3.bmp", bmp(img));

    write(root / "groundtruth/commas.txt", "205,151,17,50\n202,150,19,49\n198.5,150.25,20,48\n");
    write(root / "groundtruth/tabs_crlf.txt", "10\t20\t30\t40\r\n11\t21\t31\t41\r\n");
    write(root / "groundtruth/spaces_absent.txt", "1 2 3 4\nnan nan nan nan\n0,0,0,0\n-1,2,-3,4\n5 6 7 8\n\n");
    // Every seed must load: a seed that fails would start the fuzzer from nothing.
    for (const auto& entry : fs::directory_iterator(root / "image")) et::load_image(entry.path().string());
    for (const auto& entry : fs::directory_iterator(root / "blob"))
      if (entry.path().filename() != "container.etb") et::Model::from_blob(et::BlobFile::open(entry.path().string()));
    for (const auto& entry : fs::directory_iterator(root / "groundtruth")) et::read_groundtruth(entry.path().string());
  } catch (const et::Error& e) {
    std::fprintf(stderr, "make_seeds: %s\n", e.what());
    return 1;
  }
  return 0;
}
