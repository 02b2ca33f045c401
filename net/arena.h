#pragma once
#include <cstddef>
#include <memory>
#include <vector>

namespace et {

// Plans activation buffers once (ggml-alloc style): each buffer is live over
// an inclusive range of forward-pass steps; buffers whose ranges do not
// intersect may share memory. Offsets are 64-byte aligned and the arena ends
// with 64 bytes of padding so SIMD tails may over-read.
class ArenaPlan {
 public:
  using Id = int;

  Id request(std::size_t floats, int first_step, int last_step);
  // Places every buffer (largest first, lowest free offset); returns the
  // arena size in floats, padding included.
  std::size_t finalize();

  std::size_t offset(Id id) const { return buffers_[static_cast<std::size_t>(id)].offset; }
  std::size_t total_floats() const { return total_; }

 private:
  struct Buffer {
    std::size_t floats, offset;
    int first, last;
  };
  std::vector<Buffer> buffers_;
  std::size_t total_ = 0;
};

// One 64-byte-aligned, zero-initialised allocation sized by an ArenaPlan.
class Arena {
 public:
  Arena() = default;
  explicit Arena(std::size_t floats);
  float* data() { return data_.get(); }
  float* at(std::size_t offset) { return data_.get() + offset; }
  const float* at(std::size_t offset) const { return data_.get() + offset; }
  std::size_t floats() const { return floats_; }

 private:
  struct Free {
    void operator()(float* p) const;
  };
  std::unique_ptr<float, Free> data_;
  std::size_t floats_ = 0;
};

}  // namespace et
