#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "weights/model_config.h"

namespace et {

// One entry of the tensor table, validated. `data` points into the mapping,
// 64-byte aligned, `element_count` float32 values.
struct TensorInfo {
  std::string name;
  std::vector<std::int64_t> shape;
  std::uint64_t offset = 0;  // absolute file offset
  std::uint64_t size = 0;    // bytes
  const float* data = nullptr;

  std::size_t element_count() const { return static_cast<std::size_t>(size / sizeof(float)); }
  std::span<const float> values() const { return {data, element_count()}; }
};

// "[48,144]"
std::string shape_string(std::span<const std::int64_t> shape);

// A weight blob (FORMAT.md), memory-mapped read-only and fully validated
// before it is handed out: header, table, ranges, overlaps, checksum, config
// enum codes and finiteness of every value. Which tensors a model needs is
// checked by the model (net/), against this table. Immutable, so one
// instance may be shared by any number of threads and trackers.
class BlobFile {
 public:
  // Throws et::Error naming `path` and what was wrong.
  static std::shared_ptr<const BlobFile> open(const std::string& path);
  // The same from bytes in memory (copied into an aligned buffer);
  // `name` stands in for the path in error messages.
  static std::shared_ptr<const BlobFile> from_memory(const void* bytes, std::size_t size,
                                                      const std::string& name);

  ~BlobFile();
  BlobFile(const BlobFile&) = delete;
  BlobFile& operator=(const BlobFile&) = delete;

  const std::string& path() const { return path_; }
  std::uint32_t format_version() const { return format_version_; }
  std::uint64_t file_size() const { return size_; }
  const ModelConfig& config() const { return config_; }
  const std::vector<TensorInfo>& tensors() const { return tensors_; }  // table order

  const TensorInfo* find(std::string_view name) const;
  // Throws "<path>: tensor <name>: missing" when absent.
  const TensorInfo& require(std::string_view name) const;

 private:
  BlobFile() = default;
  void validate();

  std::string path_;
  const unsigned char* bytes_ = nullptr;
  std::uint64_t size_ = 0;
  bool mapped_ = false;  // munmap on destruction, else owned_ holds the bytes
  std::unique_ptr<unsigned char, void (*)(unsigned char*)> owned_{nullptr, nullptr};
  std::uint32_t format_version_ = 0;
  ModelConfig config_;
  std::vector<TensorInfo> tensors_;
  std::unordered_map<std::string_view, std::size_t> index_;
};

}  // namespace et
