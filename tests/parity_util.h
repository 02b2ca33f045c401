// What the parity tests share: a probe that records every activation a
// network emits, and the deviation of one activation from its golden.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "net/network.h"

namespace et::test {

class Recorder final : public ActivationProbe {
 public:
  void observe(std::string_view name, std::span<const float> values, std::span<const std::int64_t> shape) override {
    seen[std::string(name)] = {{values.begin(), values.end()}, {shape.begin(), shape.end()}};
  }
  struct Activation {
    std::vector<float> values;
    std::vector<std::int64_t> shape;
  };
  std::map<std::string, Activation> seen;
};

// The part of a golden activation the network emits. The last block updates
// only the search rows the head reads (net/layers.h, StreamRows), so from its
// token mixer on ("<last>.attn" or "<last>.mixer", "<last>" and "norm") the
// network emits rows [first_search_row, first_search_row + search_rows) of
// the golden's [N, C]; everything else whole.
struct Emitted {
  std::span<const float> values;
  std::vector<std::int64_t> shape;
};

inline Emitted emitted_part(const std::string& name, std::span<const float> golden,
                            const std::vector<std::int64_t>& shape, int depth, int first_search_row,
                            int search_rows) {
  const std::string last = "blocks." + std::to_string(depth - 1);
  const bool search_only = name == "norm" || name == last || name == last + ".attn" || name == last + ".mixer";
  if (!search_only || shape.size() != 2) return {golden, shape};
  const std::size_t C = static_cast<std::size_t>(shape[1]);
  return {golden.subspan(std::size_t(first_search_row) * C, std::size_t(search_rows) * C), {search_rows, shape[1]}};
}

// Largest |got - want| and largest |want| (the scale the bounds are relative to).
struct Deviation {
  double max_abs = 0, ref_max = 0;
};

inline Deviation compare(std::span<const float> got, std::span<const float> want) {
  Deviation e;
  for (std::size_t i = 0; i < want.size(); ++i) {
    e.max_abs = std::max(e.max_abs, std::fabs(double(got[i]) - double(want[i])));
    e.ref_max = std::max(e.ref_max, std::fabs(double(want[i])));
  }
  return e;
}

}  // namespace et::test
