#include "weights/blob_writer.h"

#include <cstring>
#include <string_view>
#include <unordered_set>

#include "weights/atomic_file.h"
#include "weights/blob_format.h"
#include "weights/crc32.h"
#include "weights/error.h"

namespace et {
namespace {

template <typename T>
void put(std::vector<unsigned char>& out, std::size_t offset, T value) {
  std::memcpy(out.data() + offset, &value, sizeof(T));
}

std::uint64_t align_up(std::uint64_t v) {
  return (v + blob::kDataAlignment - 1) / blob::kDataAlignment * blob::kDataAlignment;
}

}  // namespace

void BlobWriter::add(const std::string& name, std::vector<std::int64_t> shape,
                     std::span<const float> values) {
  if (name.empty() || name.size() >= blob::kTensorNameCapacity)
    throw Error("blob writer: tensor name '" + name + "': length " + std::to_string(name.size()) +
                ", expected 1..87");
  if (shape.empty() || shape.size() > blob::kMaxDims)
    throw Error("blob writer: tensor " + name + ": ndim " + std::to_string(shape.size()) +
                ", expected 1..4");
  std::int64_t count = 1;
  for (std::int64_t d : shape) count *= d;
  if (count != static_cast<std::int64_t>(values.size()))
    throw Error("blob writer: tensor " + name + ": " + std::to_string(values.size()) +
                " values, expected " + std::to_string(count) + " for its shape");
  for (const Entry& e : entries_)
    if (e.name == name) throw Error("blob writer: tensor " + name + ": added twice");
  entries_.push_back({name, std::move(shape), {values.begin(), values.end()}});
}

std::vector<unsigned char> BlobWriter::bytes() const {
  const std::uint64_t table_offset = blob::kHeaderSize + blob::kConfigSize;
  const std::uint64_t data_offset = align_up(table_offset + entries_.size() * blob::kTensorEntrySize);
  std::uint64_t end = data_offset;
  std::vector<std::uint64_t> offsets;
  for (const Entry& e : entries_) {
    end = align_up(end);
    offsets.push_back(end);
    end += e.values.size() * sizeof(float);
  }
  std::vector<unsigned char> out(end, 0);
  std::memcpy(out.data(), blob::kMagic, 8);
  put<std::uint32_t>(out, 8, blob::kFormatVersion);
  put<std::uint32_t>(out, 12, blob::kHeaderSize);
  put<std::uint64_t>(out, 16, end);
  put<std::uint64_t>(out, 24, blob::kHeaderSize);
  put<std::uint32_t>(out, 32, blob::kConfigSize);
  put<std::uint32_t>(out, 36, static_cast<std::uint32_t>(entries_.size()));
  put<std::uint64_t>(out, 40, table_offset);
  put<std::uint64_t>(out, 48, data_offset);
  std::memcpy(out.data() + blob::kHeaderSize, &config_, sizeof config_);
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    const Entry& e = entries_[i];
    std::size_t at = table_offset + i * blob::kTensorEntrySize;
    std::memcpy(out.data() + at, e.name.data(), e.name.size());
    put<std::uint32_t>(out, at + 88, blob::kDtypeF32);
    put<std::uint32_t>(out, at + 92, static_cast<std::uint32_t>(e.shape.size()));
    for (std::size_t d = 0; d < e.shape.size(); ++d)
      put<std::uint32_t>(out, at + 96 + 4 * d, static_cast<std::uint32_t>(e.shape[d]));
    put<std::uint64_t>(out, at + 112, offsets[i]);
    put<std::uint64_t>(out, at + 120, e.values.size() * sizeof(float));
    std::memcpy(out.data() + offsets[i], e.values.data(), e.values.size() * sizeof(float));
  }
  restamp_checksum(out);
  return out;
}

void BlobWriter::write(const std::string& path) const {
  const std::vector<unsigned char> b = bytes();
  write_file_atomic(path, std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
}

void restamp_checksum(std::vector<unsigned char>& b) {
  if (b.size() < blob::kHeaderSize) return;
  put<std::uint32_t>(b, 56, 0);
  put<std::uint32_t>(b, 56, crc32_update(0, b.data(), b.size()));
}

}  // namespace et
