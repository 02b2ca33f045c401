#include "weights/blob.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <unordered_set>

#include "weights/blob_format.h"
#include "weights/crc32.h"
#include "weights/error.h"

namespace et {

static_assert(std::endian::native == std::endian::little,
              "the blob format is little-endian and read in place");

namespace {

// Header field offsets (FORMAT.md, "Header").
constexpr std::size_t kOffVersion = 8, kOffHeaderSize = 12, kOffFileSize = 16,
                      kOffConfigOffset = 24, kOffConfigSize = 32, kOffTensorCount = 36,
                      kOffTableOffset = 40, kOffDataOffset = 48, kOffChecksum = 56,
                      kOffReserved = 60;
// Tensor entry field offsets (FORMAT.md, "Tensor table entry").
constexpr std::size_t kEntDtype = 88, kEntNdim = 92, kEntDims = 96, kEntOffset = 112,
                      kEntSize = 120;

template <typename T>
T read_le(const unsigned char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

std::string printable(const unsigned char* p, std::size_t n) {
  return et::printable(std::string_view(reinterpret_cast<const char*>(p), n));
}

std::string range_string(std::uint64_t begin, std::uint64_t end) {
  return "[" + std::to_string(begin) + ", " + std::to_string(end) + ")";
}

}  // namespace

std::string shape_string(std::span<const std::int64_t> shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ",";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

BlobFile::~BlobFile() {
  if (mapped_ && bytes_ != nullptr)
    munmap(const_cast<unsigned char*>(bytes_), static_cast<std::size_t>(size_));
}

std::shared_ptr<const BlobFile> BlobFile::open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error(path + ": cannot open weight blob: " + std::strerror(errno));
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    throw Error(path + ": cannot stat weight blob: " + std::strerror(err));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    throw Error(path + ": not a regular file");
  }
  std::shared_ptr<BlobFile> blob(new BlobFile());
  blob->path_ = path;
  blob->size_ = static_cast<std::uint64_t>(st.st_size);
  if (blob->size_ > 0) {
    void* map = mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
    int err = errno;
    ::close(fd);
    if (map == MAP_FAILED) throw Error(path + ": cannot mmap weight blob: " + std::strerror(err));
    blob->bytes_ = static_cast<const unsigned char*>(map);
    blob->mapped_ = true;
  } else {
    ::close(fd);
  }
  blob->validate();
  return blob;
}

std::shared_ptr<const BlobFile> BlobFile::from_memory(const void* bytes, std::size_t size,
                                                      const std::string& name) {
  std::shared_ptr<BlobFile> blob(new BlobFile());
  blob->path_ = name;
  blob->size_ = size;
  if (size > 0) {
    // Round up: aligned_alloc wants a multiple of the alignment.
    std::size_t capacity = (size + blob::kDataAlignment - 1) / blob::kDataAlignment * blob::kDataAlignment;
    auto* buffer = static_cast<unsigned char*>(std::aligned_alloc(blob::kDataAlignment, capacity));
    if (buffer == nullptr) throw Error(name + ": out of memory copying a " + std::to_string(size) + "-byte blob");
    std::memcpy(buffer, bytes, size);
    blob->owned_ = {buffer, [](unsigned char* p) { std::free(p); }};
    blob->bytes_ = buffer;
  }
  blob->validate();
  return blob;
}

const TensorInfo* BlobFile::find(std::string_view name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &tensors_[it->second];
}

const TensorInfo& BlobFile::require(std::string_view name) const {
  const TensorInfo* t = find(name);
  if (t == nullptr) throw Error(path_ + ": tensor " + std::string(name) + ": missing");
  return *t;
}

void BlobFile::validate() {
  const std::string& where = path_;
  auto fail = [&](const std::string& what) { throw Error(where + ": " + what); };
  const unsigned char* b = bytes_;

  // 1. Magic.
  if (size_ < blob::kHeaderSize)
    fail("truncated: " + std::to_string(size_) + " bytes, expected at least " +
         std::to_string(blob::kHeaderSize) + " (the header)");
  if (std::memcmp(b, blob::kMagic, 8) != 0)
    fail("not a weight blob: magic '" + printable(b, 8) + "', expected '" + blob::kMagic + "'");

  // 2. Version.
  format_version_ = read_le<std::uint32_t>(b + kOffVersion);
  if (format_version_ > blob::kFormatVersion)
    fail("format version " + std::to_string(format_version_) +
         " is newer than this build supports (" + std::to_string(blob::kFormatVersion) +
         "); update the engine or re-export the blob");
  if (format_version_ == 0) fail("format version 0, expected 1.." + std::to_string(blob::kFormatVersion));

  // 3. Header fields.
  auto expect_u64 = [&](std::size_t off, const char* field, std::uint64_t expected) {
    std::uint64_t got = read_le<std::uint64_t>(b + off);
    if (got != expected)
      fail(std::string("header ") + field + ": got " + std::to_string(got) + ", expected " +
           std::to_string(expected));
  };
  auto expect_u32 = [&](std::size_t off, const char* field, std::uint32_t expected) {
    std::uint32_t got = read_le<std::uint32_t>(b + off);
    if (got != expected)
      fail(std::string("header ") + field + ": got " + std::to_string(got) + ", expected " +
           std::to_string(expected));
  };
  expect_u32(kOffHeaderSize, "header_size", blob::kHeaderSize);
  std::uint64_t declared_size = read_le<std::uint64_t>(b + kOffFileSize);
  if (declared_size > size_)
    fail("truncated: " + std::to_string(size_) + " bytes, the header declares " +
         std::to_string(declared_size));
  if (declared_size < size_)
    fail(std::to_string(size_ - declared_size) + " bytes of trailing data: file has " +
         std::to_string(size_) + " bytes, the header declares " + std::to_string(declared_size));
  expect_u64(kOffConfigOffset, "config_offset", blob::kHeaderSize);
  expect_u32(kOffConfigSize, "config_size", blob::kConfigSize);
  expect_u64(kOffTableOffset, "table_offset", blob::kHeaderSize + blob::kConfigSize);
  expect_u32(kOffReserved, "reserved", 0);
  std::uint32_t tensor_count = read_le<std::uint32_t>(b + kOffTensorCount);
  if (tensor_count == 0 || tensor_count > blob::kMaxTensors)
    fail("header tensor_count: got " + std::to_string(tensor_count) + ", expected 1.." +
         std::to_string(blob::kMaxTensors));
  const std::uint64_t table_offset = blob::kHeaderSize + blob::kConfigSize;
  const std::uint64_t table_end = table_offset + std::uint64_t{tensor_count} * blob::kTensorEntrySize;
  std::uint64_t data_offset = read_le<std::uint64_t>(b + kOffDataOffset);
  if (table_end > size_)
    fail("truncated: the tensor table of " + std::to_string(tensor_count) + " entries ends at " +
         std::to_string(table_end) + ", past the end of the file (" + std::to_string(size_) + " bytes)");
  if (data_offset < table_end || data_offset % blob::kDataAlignment != 0 || data_offset > size_)
    fail("header data_offset: got " + std::to_string(data_offset) +
         ", expected a multiple of 64 in [" + std::to_string(table_end) + ", " +
         std::to_string(size_) + "]");

  // 4. Tensor table.
  tensors_.clear();
  tensors_.reserve(tensor_count);
  std::unordered_set<std::string> seen;
  for (std::uint32_t i = 0; i < tensor_count; ++i) {
    const unsigned char* e = b + table_offset + std::uint64_t{i} * blob::kTensorEntrySize;
    const std::string entry = "tensor table entry " + std::to_string(i);
    const void* nul = std::memchr(e, 0, blob::kTensorNameCapacity);
    if (nul == nullptr) fail(entry + ": name is not NUL-terminated within 88 bytes");
    std::size_t name_len = static_cast<std::size_t>(static_cast<const unsigned char*>(nul) - e);
    if (name_len == 0) fail(entry + ": empty name");
    for (std::size_t k = 0; k < name_len; ++k)
      if (e[k] < 33 || e[k] > 126)
        fail(entry + ": name '" + printable(e, name_len) + "' has a byte outside printable ASCII");
    TensorInfo t;
    t.name.assign(reinterpret_cast<const char*>(e), name_len);
    const std::string tw = "tensor " + t.name;
    if (!seen.insert(t.name).second) fail(tw + ": duplicate name (table entry " + std::to_string(i) + ")");
    std::uint32_t dtype = read_le<std::uint32_t>(e + kEntDtype);
    if (dtype != blob::kDtypeF32)
      fail(tw + ": dtype " + std::to_string(dtype) + ", expected " +
           std::to_string(blob::kDtypeF32) + " (float32)");
    std::uint32_t ndim = read_le<std::uint32_t>(e + kEntNdim);
    if (ndim < 1 || ndim > blob::kMaxDims)
      fail(tw + ": ndim " + std::to_string(ndim) + ", expected 1..4");
    std::uint64_t elements = 1;
    for (std::uint32_t d = 0; d < blob::kMaxDims; ++d) {
      std::uint32_t dim = read_le<std::uint32_t>(e + kEntDims + 4 * d);
      if (d < ndim) {
        if (dim == 0) fail(tw + ": dimension " + std::to_string(d) + " is 0");
        elements *= dim;  // <= (2^32)^4 would overflow; capped below
        if (elements > (std::uint64_t{1} << 40)) fail(tw + ": more than 2^40 elements");
        t.shape.push_back(dim);
      } else if (dim != 0) {
        fail(tw + ": dims[" + std::to_string(d) + "] = " + std::to_string(dim) +
             " past ndim " + std::to_string(ndim) + ", expected 0");
      }
    }
    t.offset = read_le<std::uint64_t>(e + kEntOffset);
    t.size = read_le<std::uint64_t>(e + kEntSize);
    if (t.size != elements * sizeof(float))
      fail(tw + ": size " + std::to_string(t.size) + " bytes, expected " +
           std::to_string(elements * sizeof(float)) + " for float32 " + shape_string(t.shape));
    if (t.offset % blob::kDataAlignment != 0)
      fail(tw + ": offset " + std::to_string(t.offset) + " is not 64-byte aligned");
    if (t.offset < data_offset)
      fail(tw + ": offset " + std::to_string(t.offset) + " lies before the data section (" +
           std::to_string(data_offset) + ")");
    if (t.offset > size_ || t.size > size_ - t.offset)
      fail(tw + ": bytes " + range_string(t.offset, t.offset + t.size) +
           " extend past the end of the file (" + std::to_string(size_) + " bytes)");
    t.data = reinterpret_cast<const float*>(b + t.offset);
    tensors_.push_back(std::move(t));
  }
  std::vector<const TensorInfo*> by_offset;
  for (const auto& t : tensors_) by_offset.push_back(&t);
  std::sort(by_offset.begin(), by_offset.end(),
            [](const TensorInfo* x, const TensorInfo* y) { return x->offset < y->offset; });
  for (std::size_t i = 1; i < by_offset.size(); ++i) {
    const TensorInfo& prev = *by_offset[i - 1];
    const TensorInfo& cur = *by_offset[i];
    if (cur.offset < prev.offset + prev.size)
      fail("tensors " + prev.name + " " + range_string(prev.offset, prev.offset + prev.size) +
           " and " + cur.name + " " + range_string(cur.offset, cur.offset + cur.size) + " overlap");
  }

  // 5. Checksum: the whole file with the checksum field read as zero.
  std::uint32_t stored = read_le<std::uint32_t>(b + kOffChecksum);
  const unsigned char zeros[4] = {0, 0, 0, 0};
  std::uint32_t crc = crc32_update(0, b, kOffChecksum);
  crc = crc32_update(crc, zeros, 4);
  crc = crc32_update(crc, b + kOffChecksum + 4, static_cast<std::size_t>(size_ - kOffChecksum - 4));
  if (crc != stored) {
    char got[16], want[16];
    std::snprintf(got, sizeof got, "%08x", crc);
    std::snprintf(want, sizeof want, "%08x", stored);
    fail(std::string("checksum mismatch: computed crc32 ") + got + ", header says " + want +
         " (the file is corrupt)");
  }

  // 6. Config.
  std::memcpy(&config_, b + blob::kHeaderSize, sizeof(ModelConfig));
  validate_config(config_, where);

  // 7. Finite values.
  for (const auto& t : tensors_) {
    const std::span<const float> v = t.values();
    for (std::size_t k = 0; k < v.size(); ++k)
      if (!std::isfinite(v[k]))
        fail("tensor " + t.name + ": element " + std::to_string(k) + " is " +
             (std::isnan(v[k]) ? "NaN" : "Inf") + ", expected finite weights");
  }

  index_.clear();
  for (std::size_t i = 0; i < tensors_.size(); ++i) index_.emplace(tensors_[i].name, i);
}

}  // namespace et
