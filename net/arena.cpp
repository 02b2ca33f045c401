#include "net/arena.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <numeric>

#include "weights/error.h"

namespace et {
namespace {
constexpr std::size_t kAlignFloats = 16;  // 64 bytes
std::size_t align_floats(std::size_t n) { return (n + kAlignFloats - 1) / kAlignFloats * kAlignFloats; }
}  // namespace

ArenaPlan::Id ArenaPlan::request(std::size_t floats, int first_step, int last_step) {
  buffers_.push_back({align_floats(floats), 0, first_step, last_step});
  return static_cast<Id>(buffers_.size() - 1);
}

std::size_t ArenaPlan::finalize() {
  std::vector<std::size_t> order(buffers_.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return buffers_[a].floats > buffers_[b].floats; });
  std::vector<std::size_t> placed;
  std::size_t end = 0;
  for (std::size_t id : order) {
    Buffer& buf = buffers_[id];
    // Intervals of already-placed buffers that are live at the same time,
    // sorted by offset; take the first gap that fits.
    std::vector<std::pair<std::size_t, std::size_t>> busy;
    for (std::size_t p : placed) {
      const Buffer& o = buffers_[p];
      if (o.first <= buf.last && buf.first <= o.last) busy.emplace_back(o.offset, o.offset + o.floats);
    }
    std::sort(busy.begin(), busy.end());
    std::size_t candidate = 0;
    for (const auto& [begin, finish] : busy) {
      if (candidate + buf.floats <= begin) break;
      candidate = std::max(candidate, finish);
    }
    buf.offset = candidate;
    end = std::max(end, candidate + buf.floats);
    placed.push_back(id);
  }
  total_ = end + kAlignFloats;
  return total_;
}

void Arena::Free::operator()(float* p) const { std::free(p); }

Arena::Arena(std::size_t floats) : floats_(floats) {
  const std::size_t bytes = align_floats(floats) * sizeof(float);
  auto* p = static_cast<float*>(std::aligned_alloc(64, bytes));
  if (p == nullptr) throw Error("arena: out of memory allocating " + std::to_string(bytes) + " bytes");
  std::memset(p, 0, bytes);
  data_.reset(p);
}

}  // namespace et
