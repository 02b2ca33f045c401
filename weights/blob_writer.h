#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "weights/model_config.h"

namespace et {

// Serialises a blob exactly as FORMAT.md describes (the C++ twin of
// tools/blobfile.py's write_blob). Used by the tests to build valid and
// deliberately broken files, and by anything that makes weights in C++.
class BlobWriter {
 public:
  explicit BlobWriter(const ModelConfig& config) : config_(config) {}

  // Throws et::Error on a duplicate or over-long name, or a shape whose
  // element count differs from values.size().
  void add(const std::string& name, std::vector<std::int64_t> shape, std::span<const float> values);

  std::vector<unsigned char> bytes() const;
  // Writes to `path` through a temporary file and a rename, so a reader never
  // sees a half-written blob.
  void write(const std::string& path) const;

 private:
  struct Entry {
    std::string name;
    std::vector<std::int64_t> shape;
    std::vector<float> values;
  };
  ModelConfig config_;
  std::vector<Entry> entries_;
};

// Recomputes and stores the header checksum of a serialised blob (tests use
// it to make a structurally broken file whose checksum still matches).
void restamp_checksum(std::vector<unsigned char>& blob_bytes);

}  // namespace et
