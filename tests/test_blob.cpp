// The blob loader refuses every malformed file with a message naming the file
// and tensor ("got X, expected Y"), and accepts what the writer produces.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string_view>

#include "net/model.h"
#include "net/vittrack_zoo.h"
#include "tests/test_util.h"
#include "tests/tiny_config.h"
#include "weights/atomic_file.h"
#include "weights/blob.h"
#include "weights/blob_format.h"
#include "weights/blob_writer.h"

namespace et {
namespace {

using test::error_of;
using Bytes = std::vector<unsigned char>;

constexpr std::size_t kTable = 128;          // first table entry
constexpr std::size_t kEntry = 128;          // entry size
constexpr std::size_t kEntOffset = 112, kEntSize = 120, kEntDtype = 88, kEntNdim = 92, kEntDims = 96;

template <typename T>
void poke(Bytes& b, std::size_t at, T v) {
  std::memcpy(b.data() + at, &v, sizeof v);
}
template <typename T>
T peek(const Bytes& b, std::size_t at) {
  T v;
  std::memcpy(&v, b.data() + at, sizeof v);
  return v;
}

// Two small tensors in a family-none container: a [2,3] and b [5].
Bytes two_tensor_blob() {
  BlobWriter w(ModelConfig{});
  const std::vector<float> a = {1, 2, 3, 4, 5, 6}, b = {7, 8, 9, 10, 11};
  w.add("a", {2, 3}, a);
  w.add("b", {5}, b);
  return w.bytes();
}

std::string load_error(const Bytes& bytes) {
  return error_of([&] { BlobFile::from_memory(bytes.data(), bytes.size(), "t.etb"); });
}

// A tiny but complete vittrack-zoo-family config (C=16, depth 1, head 8).
ModelConfig tiny_zoo_config() {
  return test::tiny_config(blob::kFamilyVittrackZoo, blob::kBlockVit, blob::kNormLayerNorm, blob::kPatchConv3x3,
                           blob::kHeadCenter, 16, 4);
}

// Writes every spec'd tensor with seeded values; `tweak` may drop/alter one.
Bytes zoo_blob(const ModelConfig& c,
               const std::function<void(std::string&, std::vector<std::int64_t>&, std::vector<float>&)>& tweak = {}) {
  BlobWriter w(c);
  std::uint32_t seed = 1;
  for (TensorSpec spec : vittrack_zoo_tensor_specs(c)) {
    std::size_t n = 1;
    for (auto d : spec.shape) n *= static_cast<std::size_t>(d);
    std::vector<float> v = test::random_values(n, seed++, 0.1f);
    if (tweak) tweak(spec.name, spec.shape, v);
    if (!spec.name.empty()) w.add(spec.name, spec.shape, v);
  }
  return w.bytes();
}

std::string model_error(const Bytes& bytes) {
  return error_of([&] { Model::from_blob(BlobFile::from_memory(bytes.data(), bytes.size(), "m.etb")); });
}

}  // namespace

TEST_CASE("blob: a written blob reads back with its config, shapes and values") {
  const Bytes bytes = two_tensor_blob();
  auto blob = BlobFile::from_memory(bytes.data(), bytes.size(), "t.etb");
  CHECK(blob->format_version() == blob::kFormatVersion);
  REQUIRE(blob->tensors().size() == 2);
  const TensorInfo& a = blob->require("a");
  CHECK(a.shape == std::vector<std::int64_t>{2, 3});
  CHECK(a.offset % 64 == 0);
  CHECK(reinterpret_cast<std::uintptr_t>(a.data) % 64 == 0);
  CHECK(a.values()[5] == 6.0f);
  CHECK(blob->require("b").values()[0] == 7.0f);
  CHECK(blob->find("c") == nullptr);
  CHECK(error_of([&] { blob->require("c"); }) == "t.etb: tensor c: missing");
}

TEST_CASE("blob: a file on disk is memory-mapped and validated the same way") {
  const std::string dir = test::temp_dir("blob-disk");
  const std::string path = dir + "/two.etb";
  const Bytes bytes = two_tensor_blob();
  write_file_atomic(path, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  auto blob = BlobFile::open(path);
  CHECK(blob->require("a").values()[1] == 2.0f);
  // Truncated on disk: the mmap path reports it, never reads past the end.
  std::filesystem::resize_file(path, bytes.size() - 3);
  CHECK(error_of([&] { BlobFile::open(path); }) ==
        path + ": truncated: " + std::to_string(bytes.size() - 3) + " bytes, the header declares " +
            std::to_string(bytes.size()));
  CHECK(error_of([&] { BlobFile::open(dir + "/absent.etb"); }) ==
        dir + "/absent.etb: cannot open weight blob: No such file or directory");
  CHECK(error_of([&] { BlobFile::open(dir); }) == dir + ": not a regular file");
  std::filesystem::resize_file(path, 0);
  CHECK(error_of([&] { BlobFile::open(path); }) == path + ": truncated: 0 bytes, expected at least 64 (the header)");
  std::filesystem::remove_all(dir);
}

TEST_CASE("blob: header errors") {
  Bytes b = two_tensor_blob();
  SUBCASE("wrong magic") {
    std::memcpy(b.data(), "GGUF\x03\0\0\0", 8);
    CHECK(load_error(b) == "t.etb: not a weight blob: magic 'GGUF\\x03\\x00\\x00\\x00', expected 'ETRKBLOB'");
  }
  SUBCASE("newer version") {
    poke<std::uint32_t>(b, 8, blob::kFormatVersion + 1);
    CHECK(load_error(b) == "t.etb: format version " + std::to_string(blob::kFormatVersion + 1) +
                               " is newer than this build supports (" + std::to_string(blob::kFormatVersion) +
                               "); update the engine or re-export the blob");
  }
  SUBCASE("version zero") {
    poke<std::uint32_t>(b, 8, 0);
    CHECK(load_error(b) == "t.etb: format version 0, expected 1.." + std::to_string(blob::kFormatVersion));
  }
  SUBCASE("truncated inside the data") {
    b.resize(b.size() - 1);
    CHECK(load_error(b) == "t.etb: truncated: " + std::to_string(b.size()) + " bytes, the header declares " +
                               std::to_string(b.size() + 1));
  }
  SUBCASE("truncated inside the header") {
    b.resize(20);
    CHECK(load_error(b) == "t.etb: truncated: 20 bytes, expected at least 64 (the header)");
  }
  SUBCASE("trailing junk") {
    b.push_back(0);
    CHECK(load_error(b) == "t.etb: 1 bytes of trailing data: file has " + std::to_string(b.size()) +
                               " bytes, the header declares " + std::to_string(b.size() - 1));
  }
  SUBCASE("a table larger than the file") {
    poke<std::uint32_t>(b, 36, 1000);
    CHECK(load_error(b) == "t.etb: truncated: the tensor table of 1000 entries ends at 128128, past the end of the "
                           "file (" + std::to_string(b.size()) + " bytes)");
  }
  SUBCASE("zero tensors") {
    poke<std::uint32_t>(b, 36, 0);
    CHECK(load_error(b) == "t.etb: header tensor_count: got 0, expected 1..65536");
  }
  SUBCASE("misaligned data section") {
    poke<std::uint64_t>(b, 48, 390);
    CHECK(load_error(b) == "t.etb: header data_offset: got 390, expected a multiple of 64 in [384, " +
                               std::to_string(b.size()) + "]");
  }
  SUBCASE("bad config offset") {
    poke<std::uint64_t>(b, 24, 100);
    CHECK(load_error(b) == "t.etb: header config_offset: got 100, expected 64");
  }
}

TEST_CASE("blob: tensor table errors") {
  Bytes b = two_tensor_blob();
  const std::size_t a_entry = kTable, b_entry = kTable + kEntry;
  SUBCASE("offset past the end") {
    poke<std::uint64_t>(b, b_entry + kEntOffset, 1 << 20);
    restamp_checksum(b);
    CHECK(load_error(b) == "t.etb: tensor b: bytes [1048576, 1048596) extend past the end of the file (" +
                               std::to_string(b.size()) + " bytes)");
  }
  SUBCASE("size past the end") {
    poke<std::uint32_t>(b, b_entry + kEntDims, 500);  // shape [500] -> 2000 bytes
    poke<std::uint64_t>(b, b_entry + kEntSize, 2000);
    restamp_checksum(b);
    const auto off = peek<std::uint64_t>(b, b_entry + kEntOffset);
    CHECK(load_error(b) == "t.etb: tensor b: bytes [" + std::to_string(off) + ", " + std::to_string(off + 2000) +
                               ") extend past the end of the file (" + std::to_string(b.size()) + " bytes)");
  }
  SUBCASE("overlapping tensors") {
    const auto a_off = peek<std::uint64_t>(b, a_entry + kEntOffset);
    poke<std::uint64_t>(b, b_entry + kEntOffset, a_off);
    restamp_checksum(b);
    CHECK(load_error(b) == "t.etb: tensors a [" + std::to_string(a_off) + ", " + std::to_string(a_off + 24) +
                               ") and b [" + std::to_string(a_off) + ", " + std::to_string(a_off + 20) + ") overlap");
  }
  SUBCASE("duplicate name") {
    b[b_entry] = 'a';
    restamp_checksum(b);
    CHECK(load_error(b) == "t.etb: tensor a: duplicate name (table entry 1)");
  }
  SUBCASE("unterminated name") {
    std::memset(b.data() + a_entry, 'x', 88);
    restamp_checksum(b);
    CHECK(load_error(b) == "t.etb: tensor table entry 0: name is not NUL-terminated within 88 bytes");
  }
  SUBCASE("empty name") {
    b[a_entry] = 0;
    restamp_checksum(b);
    CHECK(load_error(b) == "t.etb: tensor table entry 0: empty name");
  }
  SUBCASE("wrong dtype") {
    poke<std::uint32_t>(b, a_entry + kEntDtype, 2);
    restamp_checksum(b);
    CHECK(load_error(b) == "t.etb: tensor a: dtype 2, expected 1 (float32)");
  }
  SUBCASE("ndim out of range") {
    poke<std::uint32_t>(b, a_entry + kEntNdim, 5);
    restamp_checksum(b);
    CHECK(load_error(b) == "t.etb: tensor a: ndim 5, expected 1..4");
  }
  SUBCASE("a zero dimension") {
    poke<std::uint32_t>(b, a_entry + kEntDims + 4, 0);
    restamp_checksum(b);
    CHECK(load_error(b) == "t.etb: tensor a: dimension 1 is 0");
  }
  SUBCASE("size disagrees with shape") {
    poke<std::uint64_t>(b, a_entry + kEntSize, 28);
    restamp_checksum(b);
    CHECK(load_error(b) == "t.etb: tensor a: size 28 bytes, expected 24 for float32 [2,3]");
  }
  SUBCASE("misaligned tensor") {
    poke<std::uint64_t>(b, b_entry + kEntOffset, peek<std::uint64_t>(b, b_entry + kEntOffset) + 4);
    restamp_checksum(b);
    CHECK(load_error(b).ends_with("tensor b: offset " +
                                  std::to_string(peek<std::uint64_t>(b, b_entry + kEntOffset)) +
                                  " is not 64-byte aligned"));
  }
}

TEST_CASE("blob: checksum, config and value errors") {
  Bytes b = two_tensor_blob();
  SUBCASE("a flipped data bit") {
    b[b.size() - 2] ^= 0x10;
    CHECK(load_error(b).starts_with("t.etb: checksum mismatch: computed crc32 "));
  }
  SUBCASE("a flipped config bit with a stale checksum") {
    b[64 + 8] ^= 1;
    CHECK(load_error(b).find("checksum mismatch") != std::string::npos);
  }
  SUBCASE("NaN") {
    poke<float>(b, static_cast<std::size_t>(peek<std::uint64_t>(b, kTable + kEntry + kEntOffset)) + 8,
                std::numeric_limits<float>::quiet_NaN());
    restamp_checksum(b);
    CHECK(load_error(b) == "t.etb: tensor b: element 2 is NaN, expected finite weights");
  }
  SUBCASE("Inf") {
    poke<float>(b, static_cast<std::size_t>(peek<std::uint64_t>(b, kTable + kEntOffset)), -INFINITY);
    restamp_checksum(b);
    CHECK(load_error(b) == "t.etb: tensor a: element 0 is Inf, expected finite weights");
  }
  SUBCASE("unknown family") {
    poke<std::uint32_t>(b, 64, 9);
    restamp_checksum(b);
    CHECK(load_error(b) == "t.etb: config family: got 9, expected 1, 2 or 3");
  }
}

TEST_CASE("blob: the model checks the tensor set against its config") {
  const ModelConfig c = tiny_zoo_config();
  SUBCASE("a complete blob loads and a network runs on it") {
    const Bytes b = zoo_blob(c);
    auto model = Model::from_blob(BlobFile::from_memory(b.data(), b.size(), "m.etb"));
    auto net = model->create_network();
    const auto z = test::random_values(3 * 128 * 128, 7), x = test::random_values(3 * 256 * 256, 8);
    CHECK(error_of([&] { net->run(x.data()); }) == "network: run() before set_template(): no template embedding");
    net->set_template(z.data());
    net->run(x.data());
    for (float v : net->center_maps().score) CHECK((v >= 1e-4f && v <= 1.0f - 1e-4f));
  }
  SUBCASE("missing tensor") {
    const Bytes b = zoo_blob(c, [](std::string& name, auto&, auto&) {
      if (name == "blocks.0.mlp.fc1.weight") name.clear();
    });
    CHECK(model_error(b) == "m.etb: tensor blocks.0.mlp.fc1.weight: missing (expected shape [64,16] for "
                            "vittrack-zoo (depth 1, channels 16))");
  }
  SUBCASE("transposed shape") {
    const Bytes b = zoo_blob(c, [](std::string& name, std::vector<std::int64_t>& shape, auto&) {
      if (name == "blocks.0.attn.qkv.weight") shape = {16, 48};
    });
    CHECK(model_error(b) == "m.etb: tensor blocks.0.attn.qkv.weight: shape [16,48], expected [48,16]");
  }
  SUBCASE("unexpected tensor") {
    ModelConfig deeper = c;
    deeper.depth = 2;
    Bytes b = zoo_blob(deeper);
    // The same tensors under a depth-1 config: blocks.1.* are left over.
    poke<std::uint32_t>(b, 64 + 4, 1);
    restamp_checksum(b);
    CHECK(model_error(b) == "m.etb: tensor blocks.1.norm1.weight: unexpected for vittrack-zoo (depth 1, channels 16)");
  }
  SUBCASE("heads that do not divide the channels") {
    ModelConfig bad = c;
    bad.heads = 3;
    BlobWriter w(bad);
    const std::vector<float> one = {1};
    w.add("x", {1}, one);
    const Bytes b = w.bytes();
    CHECK(model_error(b) == "m.etb: config heads: got 3, expected a divisor of channels 16");
  }
  SUBCASE("a golden container is not a model") {
    CHECK(model_error(two_tensor_blob()) ==
          "m.etb: config family: got 0 (none: a tensor container such as a golden file), expected a model");
  }
}

TEST_CASE("blob: the writer refuses what the format cannot hold") {
  BlobWriter w(ModelConfig{});
  const std::vector<float> three = {1, 2, 3};
  CHECK(error_of([&] { w.add("t", {2, 2}, three); }) == "blob writer: tensor t: 3 values, expected 4 for its shape");
  CHECK(error_of([&] { w.add(std::string(88, 'n'), {3}, three); }) ==
        "blob writer: tensor name '" + std::string(88, 'n') + "': length 88, expected 1..87");
  w.add("t", {3}, three);
  CHECK(error_of([&] { w.add("t", {3}, three); }) == "blob writer: tensor t: added twice");
}

}  // namespace et
